package io.containerfs.json;

/** A text {@link JsonReader} refused: which line and column, what was expected there and what was found. */
public final class JsonException extends Exception {
    private static final long serialVersionUID = 1L;

    JsonException(String message) {
        super(message);
    }
}
