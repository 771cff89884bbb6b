package dev.vstream.qa.web;

import java.io.IOException;

/** A request body past {@code vstream.qa.max-request-size}: 413. */
final class RequestTooLargeException extends IOException {
    RequestTooLargeException(String message) {
        super(message);
    }
}
