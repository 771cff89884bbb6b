package dev.vstream.api.frame;

/** A wire record that breaks its contract; the message is the reason written to the dead-letter topic. */
public final class MalformedRecordException extends Exception {
    public MalformedRecordException(String reason) {
        super(reason);
    }
}
