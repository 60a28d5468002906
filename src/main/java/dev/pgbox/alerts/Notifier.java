package dev.pgbox.alerts;

/** Where alerts go: a webhook, an email, the log. Each send is one message with every alert of one evaluation. */
public interface Notifier {
    /** webhook, email or log. */
    String name();

    /** Where it sends, safe to print and log (a webhook's host only: its URL carries a token). */
    String target();

    /** Sends now, within a bounded time; throws with a message free of secrets when it could not. */
    void send(Message message) throws NotifyException;

    /** A notifier could not deliver; the message names no secret. */
    final class NotifyException extends Exception {
        private static final long serialVersionUID = 1L;

        public NotifyException(String message) {
            super(message);
        }
    }
}
