package dev.specd.trainer.pretrain;

import java.io.IOException;

/** A domain's text is not on this machine (and could not be fetched); the message says what to install. */
public class CorpusUnavailableException extends IOException {

    public CorpusUnavailableException(String message) {
        super(message);
    }

    public CorpusUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
