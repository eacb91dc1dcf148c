package io.lem.runner.prompts;

/**
 * Prompts could not be loaded: a missing or unreadable file, a malformed JSONL line ({@code file:line: reason}), an
 * unknown built-in set, or a source without any prompt. The message is one line.
 */
public final class PromptException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public PromptException(String message) {
        super(message.replaceAll("\\s*\\R\\s*", " ").strip());
    }

    public PromptException(String message, Throwable cause) {
        super(message.replaceAll("\\s*\\R\\s*", " ").strip(), cause);
    }
}
