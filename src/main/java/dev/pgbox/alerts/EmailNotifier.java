package dev.pgbox.alerts;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Properties;

/**
 * Sends alerts by SMTP (jakarta.mail). STARTTLS is required by default: a server that does not offer it
 * gets nothing, so neither the mail nor the login crosses the network in clear text. "tls" speaks TLS
 * from the first byte (port 465); "none" is plain SMTP and only allowed to a loopback server. The
 * server's certificate is checked against the JVM's trust store and the host name. Every network step
 * has a timeout.
 */
public final class EmailNotifier implements Notifier {
    static final int TIMEOUT_MILLIS = 15_000;

    private final String host;
    private final int port;
    private final String security;
    private final String user;
    private final String password;
    private final InternetAddress from;
    private final InternetAddress[] to;

    private EmailNotifier(String host, int port, String security, String user, String password, InternetAddress from,
                          InternetAddress[] to) {
        this.host = host;
        this.port = port;
        this.security = security;
        this.user = user;
        this.password = password;
        this.from = from;
        this.to = to;
    }

    /** Checks the settings' values together; a problem is a CONFIG error naming the setting. */
    public static EmailNotifier of(String host, int port, String security, String user, String password, String from, String to) {
        if (from.isEmpty() || to.isEmpty()) {
            throw invalid("PGBOX_ALERT_SMTP_HOST is set but PGBOX_ALERT_EMAIL_" + (from.isEmpty() ? "FROM" : "TO") + " is empty",
                    "an email needs a sender and at least one recipient", "set PGBOX_ALERT_EMAIL_FROM and PGBOX_ALERT_EMAIL_TO");
        }
        if (security.equals("none") && !WebhookNotifier.loopback(host)) {
            throw invalid("PGBOX_ALERT_SMTP_SECURITY=none with the SMTP server " + host,
                    "plain SMTP would send the mail (and a login) in clear text over the network; it is only allowed to a "
                            + "loopback server", "use PGBOX_ALERT_SMTP_SECURITY=starttls (port 587) or tls (port 465)");
        }
        if (!user.isEmpty() && password.isEmpty()) {
            throw invalid("PGBOX_ALERT_SMTP_USER is set but PGBOX_ALERT_SMTP_PASSWORD is empty", "the login needs its password",
                    "set PGBOX_ALERT_SMTP_PASSWORD in .env.secrets");
        }
        try {
            InternetAddress sender = new InternetAddress(from, true);
            InternetAddress[] recipients = InternetAddress.parse(to, true);
            return new EmailNotifier(host, port, security, user, password, sender, recipients);
        } catch (AddressException e) {
            throw invalid("PGBOX_ALERT_EMAIL_FROM or PGBOX_ALERT_EMAIL_TO is not a valid address", e.getMessage(),
                    "write plain addresses like alerts@example.com, recipients separated by commas");
        }
    }

    private static PgboxException invalid(String what, String why, String fix) {
        return new PgboxException(ErrorKind.CONFIG, what, why, fix);
    }

    @Override
    public String name() {
        return "email";
    }

    @Override
    public String target() {
        return String.join(", ", java.util.Arrays.stream(to).map(InternetAddress::getAddress).toList()) + " via " + host + ":" + port
                + " (" + security + ")";
    }

    Properties properties() {
        Properties p = new Properties();
        String proto = "smtp";
        p.put("mail.transport.protocol", proto);
        p.put("mail.smtp.host", host);
        p.put("mail.smtp.port", Integer.toString(port));
        p.put("mail.smtp.connectiontimeout", Integer.toString(TIMEOUT_MILLIS));
        p.put("mail.smtp.timeout", Integer.toString(TIMEOUT_MILLIS));
        p.put("mail.smtp.writetimeout", Integer.toString(TIMEOUT_MILLIS));
        p.put("mail.smtp.auth", Boolean.toString(!user.isEmpty()));
        switch (security) {
            case "starttls" -> {
                p.put("mail.smtp.starttls.enable", "true");
                p.put("mail.smtp.starttls.required", "true");
                p.put("mail.smtp.ssl.checkserveridentity", "true");
            }
            case "tls" -> {
                p.put("mail.smtp.ssl.enable", "true");
                p.put("mail.smtp.ssl.checkserveridentity", "true");
            }
            default -> {
                // plain, loopback only (checked in of())
            }
        }
        return p;
    }

    @Override
    public void send(Message m) throws NotifyException {
        try {
            Session session = Session.getInstance(properties());
            MimeMessage mail = new MimeMessage(session);
            mail.setFrom(from);
            mail.setRecipients(jakarta.mail.Message.RecipientType.TO, to);
            mail.setSubject("[pgbox] " + m.title(), StandardCharsets.UTF_8.name());
            mail.setText(m.text() + "\n", StandardCharsets.UTF_8.name());
            mail.setSentDate(new Date());
            if (user.isEmpty()) {
                Transport.send(mail);
            } else {
                Transport.send(mail, user, password);
            }
        } catch (MessagingException | RuntimeException e) {
            throw new NotifyException("cannot send mail via " + host + ":" + port + ": " + reason(e));
        }
    }

    /** The innermost useful reason, without the password should a server quote it. */
    private String reason(Exception e) {
        StringBuilder b = new StringBuilder();
        Throwable t = e;
        for (int i = 0; t != null && i < 3; i++, t = t.getCause()) {
            String msg = t.getMessage();
            if (msg != null && !msg.isBlank() && b.indexOf(msg.strip()) < 0) {
                b.append(b.length() == 0 ? "" : ": ").append(msg.strip());
            }
        }
        String r = b.length() == 0 ? e.getClass().getSimpleName() : b.toString().replaceAll("\\s+", " ");
        return password.isEmpty() ? r : r.replace(password, "********");
    }
}
