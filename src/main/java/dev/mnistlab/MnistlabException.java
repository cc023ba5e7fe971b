package dev.mnistlab;

/**
 * A failure the user can act on: the message names the file, layer or setting and what to do.
 * The CLI prints only the message (the stack trace only with --debug).
 */
public class MnistlabException extends RuntimeException {

    public MnistlabException(String message) {
        super(message);
    }

    public MnistlabException(String message, Throwable cause) {
        super(message, cause);
    }
}
