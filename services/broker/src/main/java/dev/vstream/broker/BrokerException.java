package dev.vstream.broker;

/** The local broker could not be started or stopped; the message carries the tail of its log. */
public final class BrokerException extends RuntimeException {
    public BrokerException(String message) {
        super(message);
    }

    public BrokerException(String message, Throwable cause) {
        super(message, cause);
    }
}
