package dev.vstream.kernels.bench.openblas;

/** A failure at the OpenBLAS boundary; the message names the C function or library. */
public final class OpenBlasException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public OpenBlasException(String message) {
        super(message);
    }

    public OpenBlasException(String message, Throwable cause) {
        super(message, cause);
    }
}
