package dev.pgbox.ha;

import dev.pgbox.cluster.HttpCall;
import dev.pgbox.component.PatroniComponent;
import dev.pgbox.config.Setting;
import dev.pgbox.config.Settings;
import java.time.Duration;

/** Patroni's REST API with this cluster's credentials (PATRONI_RESTAPI_PASSWORD) when {@code auth} is given. */
final class PatroniApi {
    private PatroniApi() {
    }

    /** One GET; with Patroni's credentials when {@code auth} is given. */
    static HttpCall.Answer get(String url, Settings auth, Duration timeout) {
        return HttpCall.send("GET", url, null, user(auth), password(auth), timeout);
    }

    /** One POST of a JSON body; with Patroni's credentials when {@code auth} is given. */
    static HttpCall.Answer post(String url, String json, Settings auth, Duration timeout) {
        return HttpCall.send("POST", url, json, user(auth), password(auth), timeout);
    }

    private static String user(Settings auth) {
        return auth == null ? null : PatroniComponent.RESTAPI_USER;
    }

    private static String password(Settings auth) {
        return auth == null || !auth.isSet(Setting.PATRONI_RESTAPI_PASSWORD) ? null : auth.get(Setting.PATRONI_RESTAPI_PASSWORD);
    }
}
