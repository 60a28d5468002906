package dev.pgbox.alerts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.pgbox.PgboxException;
import jakarta.mail.internet.MimeMessage;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Email against GreenMail, a real SMTP server in-process. GreenMail 2.1.3 has no STARTTLS on its plain
 * SMTP port, which shows that the default (STARTTLS required) refuses to send in clear text; the mail
 * itself goes through PGBOX_ALERT_SMTP_SECURITY=none, allowed to a loopback server only.
 */
class EmailNotifierTest {
    @RegisterExtension
    static final GreenMailExtension MAIL = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    final Message m = new Message("pgbox on db1 (/srv/shop)", List.of(MessageTest.firing("connections", "critical")));

    @Test
    void sendsOneMailWithTheTitleAsSubjectAndEveryAlertInTheBody() throws Exception {
        MAIL.setUser("pgbox", "mail-s3cret");
        EmailNotifier n = EmailNotifier.of("127.0.0.1", MAIL.getSmtp().getPort(), "none", "pgbox", "mail-s3cret",
                "pgbox@example.com", "ops@example.com, dba@example.com");
        n.send(m);
        MimeMessage[] got = MAIL.getReceivedMessages();
        assertThat(got).hasSize(2); // one per recipient
        assertThat(got[0].getSubject()).isEqualTo("[pgbox] pgbox on db1 (/srv/shop): 1 firing");
        assertThat(GreenMailUtil.getBody(got[0])).contains("[CRITICAL] connections: 96 of 100", "fix: pool the clients");
        assertThat(n.target()).isEqualTo("ops@example.com, dba@example.com via 127.0.0.1:" + MAIL.getSmtp().getPort() + " (none)")
                .doesNotContain("s3cret");
    }

    @Test
    void starttlsIsRequiredByDefaultSoAServerWithoutItGetsNothing() {
        EmailNotifier n = EmailNotifier.of("127.0.0.1", MAIL.getSmtp().getPort(), "starttls", "pgbox", "mail-s3cret",
                "pgbox@example.com", "ops@example.com");
        Throwable t = catchThrowable(() -> n.send(m));
        assertThat(t).isInstanceOf(Notifier.NotifyException.class).hasMessageContaining("STARTTLS")
                .hasMessageNotContaining("mail-s3cret");
        assertThat(MAIL.getReceivedMessages()).isEmpty();
    }

    @Test
    void plainSmtpIsRefusedToAServerThatIsNotLoopbackAndAddressesAreChecked() {
        assertThat(catchThrowable(() -> EmailNotifier.of("smtp.example.com", 25, "none", "", "", "a@example.com", "b@example.com")))
                .isInstanceOf(PgboxException.class).hasMessageContaining("PGBOX_ALERT_SMTP_SECURITY=none");
        assertThat(catchThrowable(() -> EmailNotifier.of("smtp.example.com", 587, "starttls", "", "", "a@example.com", "")))
                .isInstanceOf(PgboxException.class).hasMessageContaining("PGBOX_ALERT_EMAIL_TO");
        assertThat(catchThrowable(() -> EmailNotifier.of("smtp.example.com", 587, "starttls", "", "", "a@example.com", "not an address")))
                .isInstanceOf(PgboxException.class).hasMessageContaining("not a valid address");
        assertThat(EmailNotifier.of("smtp.example.com", 587, "starttls", "u", "p", "a@example.com", "b@example.com").properties())
                .containsEntry("mail.smtp.starttls.required", "true").containsEntry("mail.smtp.ssl.checkserveridentity", "true")
                .containsKey("mail.smtp.timeout").containsKey("mail.smtp.connectiontimeout").containsKey("mail.smtp.writetimeout");
    }
}
