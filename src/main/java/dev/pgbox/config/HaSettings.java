package dev.pgbox.config;

import dev.pgbox.ErrorKind;
import dev.pgbox.PgboxException;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The rules between the HA settings, checked whenever settings load (exit 3 on a violation, before
 * anything runs). Patroni's own rule is {@code loop_wait + 2*retry_timeout <= ttl}: a leader cut off
 * from etcd must give up (retry_timeout, twice, after at most one loop) before its lease runs out, or
 * a new leader could be elected while the old one still writes. Patroni 4 would quietly shorten
 * loop_wait or retry_timeout instead, and raises values below its minimums; pgbox refuses both, so
 * what runs is what the settings say.
 */
public final class HaSettings {
    /** Patroni 4's smallest accepted ttl, loop_wait and retry_timeout (patroni/validator.py). */
    public static final int MIN_TTL = 20;
    public static final int MIN_LOOP_WAIT = 1;
    public static final int MIN_RETRY_TIMEOUT = 3;
    private static final Pattern URL = Pattern.compile("https?://[A-Za-z0-9.\\-]+(:[0-9]{1,5})?|https?://\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?");
    private static final Pattern MEMBER = Pattern.compile("[a-z][a-z0-9_]{0,62}");

    private HaSettings() {
    }

    /** Checks the HA settings among themselves; {@code value} gives each setting's normalized value. */
    public static void check(Function<Setting, String> value) {
        int ttl = Integer.parseInt(value.apply(Setting.PATRONI_TTL));
        int loopWait = Integer.parseInt(value.apply(Setting.PATRONI_LOOP_WAIT));
        int retry = Integer.parseInt(value.apply(Setting.PATRONI_RETRY_TIMEOUT));
        minimum(Setting.PATRONI_TTL, ttl, MIN_TTL);
        minimum(Setting.PATRONI_LOOP_WAIT, loopWait, MIN_LOOP_WAIT);
        minimum(Setting.PATRONI_RETRY_TIMEOUT, retry, MIN_RETRY_TIMEOUT);
        if (loopWait + 2 * retry > ttl) {
            throw new PgboxException(ErrorKind.CONFIG,
                    "PATRONI_LOOP_WAIT + 2*PATRONI_RETRY_TIMEOUT = " + loopWait + " + 2*" + retry + " = " + (loopWait + 2 * retry)
                            + "s is longer than PATRONI_TTL = " + ttl + "s",
                    "a leader cut off from etcd must stop writing before its lease (ttl) ends, or a second primary "
                            + "could be elected while it still accepts writes (Patroni's rule loop_wait + 2*retry_timeout <= ttl)",
                    "raise PATRONI_TTL to at least " + (loopWait + 2 * retry) + ", or lower PATRONI_LOOP_WAIT or PATRONI_RETRY_TIMEOUT");
        }
        String endpoints = value.apply(Setting.ETCD_ENDPOINTS);
        for (String url : Settings.list(endpoints)) {
            if (!URL.matcher(url).matches()) {
                throw new PgboxException(ErrorKind.CONFIG, "invalid etcd endpoint '" + url + "' in ETCD_ENDPOINTS",
                        "ETCD_ENDPOINTS takes etcd client URLs separated by commas",
                        "write it like ETCD_ENDPOINTS=http://10.0.0.1:2379,http://10.0.0.2:2379");
            }
        }
        for (String member : Settings.list(value.apply(Setting.ETCD_INITIAL_CLUSTER))) {
            int eq = member.indexOf('=');
            if (eq <= 0 || !MEMBER.matcher(member.substring(0, eq)).matches() || !URL.matcher(member.substring(eq + 1)).matches()) {
                throw new PgboxException(ErrorKind.CONFIG, "invalid etcd member '" + member + "' in ETCD_INITIAL_CLUSTER",
                        "ETCD_INITIAL_CLUSTER takes NAME=PEER_URL pairs separated by commas, each name a lowercase member name",
                        "write it like ETCD_INITIAL_CLUSTER=a=http://10.0.0.1:2380,b=http://10.0.0.2:2380,c=http://10.0.0.3:2380");
            }
        }
    }

    private static void minimum(Setting s, int v, int min) {
        if (v < min) {
            throw new PgboxException(ErrorKind.CONFIG, s.name() + "=" + v + " is below Patroni's minimum of " + min,
                    "Patroni 4 raises it to " + min + " by itself, so the cluster would not run with the value written",
                    "set " + s.name() + " to " + min + " or more");
        }
    }
}
