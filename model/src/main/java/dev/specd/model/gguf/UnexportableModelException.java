package dev.specd.model.gguf;

import java.io.IOException;

/**
 * The model cannot be written as a GGUF file that llama.cpp would run exactly like specd does; the
 * message says what and why. Nothing is written when it is thrown.
 */
public final class UnexportableModelException extends IOException {

    public UnexportableModelException(String message) {
        super(message);
    }
}
