package dev.pgbox.alerts;

import dev.pgbox.PgboxException;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import java.util.ArrayList;
import java.util.List;

/** The notifiers the settings configure besides the log: a webhook and/or email. */
public final class Notifiers {
    private Notifiers() {
    }

    /** What the settings configure, and each configuration problem (a CONFIG error) instead of that notifier. */
    public record Configured(List<Notifier> notifiers, List<PgboxException> problems) {
    }

    public static Configured of(Settings s) {
        List<Notifier> out = new ArrayList<>();
        List<PgboxException> problems = new ArrayList<>();
        if (s.isSet(Setting.PGBOX_ALERT_WEBHOOK_URL)) {
            try {
                out.add(WebhookNotifier.of(s.get(Setting.PGBOX_ALERT_WEBHOOK_URL), s.get(Setting.PGBOX_ALERT_WEBHOOK_FORMAT)));
            } catch (PgboxException e) {
                problems.add(e);
            }
        }
        if (s.isSet(Setting.PGBOX_ALERT_SMTP_HOST)) {
            try {
                out.add(EmailNotifier.of(s.get(Setting.PGBOX_ALERT_SMTP_HOST), s.integer(Setting.PGBOX_ALERT_SMTP_PORT),
                        s.get(Setting.PGBOX_ALERT_SMTP_SECURITY), s.get(Setting.PGBOX_ALERT_SMTP_USER),
                        s.get(Setting.PGBOX_ALERT_SMTP_PASSWORD), s.get(Setting.PGBOX_ALERT_EMAIL_FROM),
                        s.get(Setting.PGBOX_ALERT_EMAIL_TO)));
            } catch (PgboxException e) {
                problems.add(e);
            }
        }
        return new Configured(List.copyOf(out), List.copyOf(problems));
    }
}
