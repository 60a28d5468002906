package dev.pgbox.alerts;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * One evaluation's notifications for one notifier: a title naming where they come from and how many of
 * each kind, and the alerts themselves. Renders the text every notifier sends and the webhook bodies.
 *
 * @param source where the alerts come from: "pgbox on HOST (PROJECT DIR)"
 * @param alerts the notifications, in the order they were made
 */
public record Message(String source, List<Alert> alerts) {
    /** Discord refuses a message content over 2000 characters. */
    static final int DISCORD_LIMIT = 2000;

    /** "pgbox on db1 (/srv/shop): 1 firing, 1 resolved". */
    public String title() {
        Map<String, Long> counts = alerts.stream().collect(Collectors.groupingBy(Alert::kind, TreeMap::new, Collectors.counting()));
        return source + ": " + counts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
    }

    /** The title, then one line (and its fix) per alert. */
    public String text() {
        StringBuilder b = new StringBuilder(title());
        for (Alert a : alerts) {
            b.append('\n').append(a.line());
        }
        return b.toString();
    }

    /** The webhook body for a format: slack, discord or json (see PGBOX_ALERT_WEBHOOK_FORMAT). */
    public Map<String, Object> webhookBody(String format) {
        return switch (format) {
            // the text holds values any database client can shape (query texts): Slack would read <!channel> in it
            // as a mention of everyone, so its control characters are escaped as Slack asks; Discord is told to
            // ping nobody, whatever the content says (@everyone)
            case "slack" -> Map.of("text", slackEscaped(text()));
            case "discord" -> Map.of("content", clip(text(), DISCORD_LIMIT), "allowed_mentions", NO_MENTIONS);
            default -> {
                Map<String, Object> body = new java.util.LinkedHashMap<>();
                body.put("text", text());
                body.put("content", clip(text(), DISCORD_LIMIT));
                body.put("allowed_mentions", NO_MENTIONS);
                body.put("source", source);
                body.put("alerts", alerts);
                yield body;
            }
        };
    }

    private static final Map<String, Object> NO_MENTIONS = Map.of("parse", java.util.List.of());

    /** Slack's message text: &, < and > are its markup (links, mentions), escaped as its docs say. */
    static String slackEscaped(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    static String clip(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        String more = "\n… (more in the alerts log)";
        return s.substring(0, max - more.length()) + more;
    }
}
