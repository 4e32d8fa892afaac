package dev.specd.loadtest;

import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code report.html}: one self-contained page (the PNGs are embedded as data URIs, so it can be
 * mailed or attached alone) with the summary tables and the charts.
 */
final class HtmlReport {

    private HtmlReport() {}

    static String render(Summary summary, List<Charts.Chart> charts) {
        StringBuilder html = new StringBuilder();
        Summary.Run run = summary.run();
        html.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>specd load test</title>\n")
                .append("<style>body{font-family:sans-serif;margin:2em;max-width:1000px}table{border-collapse:collapse;"
                        + "margin:1em 0}th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}"
                        + "th:first-child,td:first-child{text-align:left}img{max-width:100%}"
                        + ".caption{color:#555}</style></head><body>\n")
                .append("<h1>specd load test</h1>\n<p>")
                .append(escape(run.url())).append(", ").append(escape(run.arrivals())).append(", ")
                .append(escape(run.endpoint())).append(" endpoint; started ").append(escape(run.startedAt()))
                .append(", ran ").append(number(run.durationS())).append(" s (planned ")
                .append(number(run.plannedDurationS())).append(" s, at most ").append(run.maxRequests())
                .append(" requests, seed ").append(run.seed()).append("). Phases: ")
                .append(escape(String.join(" → ", run.phases()))).append(".</p>\n");
        for (Map.Entry<Arm, String> unsupported : run.unsupportedArms().entrySet()) {
            html.append("<p><b>Arm ").append(unsupported.getKey().label()).append(" unsupported by this server:</b> ")
                    .append(escape(unsupported.getValue())).append("</p>\n");
        }
        html.append("<h2>Arms</h2>\n");
        armTable(html, summary.arms());
        html.append("<h2>Speed-up of the adapting draft</h2>\n<table><tr><th>period</th><th>over speculation off</th>"
                + "<th>over the original draft</th></tr>\n");
        for (Summary.PhaseSummary phase : summary.phases()) {
            speedupRow(html, "phase " + (phase.index() + 1) + ": " + phase.name(), phase.speedup());
        }
        speedupRow(html, "whole run", summary.speedup());
        html.append("</table>\n<h2>Server counters</h2>\n");
        agreement(html, summary);
        windowTable(html, summary);
        for (Charts.Chart chart : charts) {
            html.append("<h2>").append(escape(chart.title())).append("</h2>\n<p class=\"caption\">")
                    .append(escape(chart.caption())).append("</p>\n<img alt=\"").append(escape(chart.title()))
                    .append("\" src=\"data:image/png;base64,").append(Base64.getEncoder().encodeToString(chart.png()))
                    .append("\">\n");
        }
        html.append("<p class=\"caption\">Raw results: requests.jsonl; numbers: summary.json.</p>\n</body></html>\n");
        return html.toString();
    }

    private static void armTable(StringBuilder html, List<Summary.ArmSummary> arms) {
        html.append("<table><tr><th>arm</th><th>requests</th><th>ok</th><th>errors</th><th>output tokens</th>"
                + "<th>acceptance</th><th>TTFT p50 / p99 ms</th><th>ITL p50 / p99 ms</th><th>e2e p50 / p99 ms</th>"
                + "<th>tokens/s (mean)</th><th>draft versions</th></tr>\n");
        for (Summary.ArmSummary arm : arms) {
            html.append("<tr><td>").append(escape(arm.description())).append(arm.supported() ? "" : " (unsupported)")
                    .append("</td><td>").append(arm.requests()).append("</td><td>").append(arm.ok())
                    .append("</td><td>").append(arm.errors()).append("</td><td>").append(arm.outputTokens())
                    .append("</td><td>").append(number(arm.acceptanceRate())).append("</td><td>")
                    .append(pair(arm.ttftMs())).append("</td><td>").append(pair(arm.itlMs())).append("</td><td>")
                    .append(pair(arm.e2eMs())).append("</td><td>").append(number(arm.decodeTokensPerSecond().mean()))
                    .append("</td><td>").append(escape(String.join(", ", arm.draftVersions()))).append("</td></tr>\n");
        }
        html.append("</table>\n");
    }

    /** Per window and arm: responses ended, acceptance, output tokens/s, p99 end-to-end latency. */
    private static void windowTable(StringBuilder html, Summary summary) {
        html.append("<h2>Over time</h2>\n<p class=\"caption\">Responses that ended in each window, per arm: "
                + "requests / acceptance rate / output tokens per second of the window / p99 end-to-end ms.</p>\n"
                + "<table><tr><th>window (s)</th>");
        summary.run().arms().forEach(arm -> html.append("<th>").append(escape(arm.description())).append("</th>"));
        html.append("</tr>\n");
        for (Summary.Window window : summary.windows()) {
            html.append("<tr><td>").append(number(window.startS())).append("–").append(number(window.endS()))
                    .append("</td>");
            for (Summary.WindowArm arm : window.arms()) {
                html.append("<td>").append(arm.requests()).append(" / ").append(number(arm.acceptanceRate()))
                        .append(" / ").append(number(arm.outputTokensPerSecond())).append(" / ")
                        .append(number(arm.e2eMs().p99())).append("</td>");
            }
            html.append("</tr>\n");
        }
        html.append("</table>\n");
    }

    private static void speedupRow(StringBuilder html, String period, Summary.Speedup speedup) {
        html.append("<tr><td>").append(escape(period)).append("</td><td>").append(times(speedup.adaptiveOverOff()))
                .append("</td><td>").append(times(speedup.adaptiveOverOriginal())).append("</td></tr>\n");
    }

    private static void agreement(StringBuilder html, Summary summary) {
        Summary.ServerCounters server = summary.server();
        Summary.Agreement agreement = summary.agreement();
        html.append("<p>Between the first scrape of /metrics (before the first request) and the last (after the last "
                        + "response), ").append(server.scrapes()).append(" scrapes. The sums over the responses equal "
                        + "the server's counters when the load test was its only traffic and every request ended: ")
                .append(agreement.consistent() ? "<b>they agree</b>" : "<b>they differ</b>")
                .append(agreement.allRequestsEnded() ? "" : " (some requests did not end)").append(".</p>\n")
                .append("<table><tr><th></th><th>responses</th><th>server</th></tr>\n");
        row(html, "drafted tokens", agreement.responseDraftedTokens(), agreement.serverDraftedTokens());
        row(html, "accepted tokens", agreement.responseAcceptedTokens(), agreement.serverAcceptedTokens());
        row(html, "output tokens", agreement.responseOutputTokens(), agreement.serverGenerationTokens());
        html.append("</table>\n<p>Server acceptance rate ").append(number(server.acceptanceRate()))
                .append(", mean accepted length ").append(number(server.meanAcceptedLength()))
                .append(". Draft versions: ");
        for (Summary.VersionChange change : server.draftVersions()) {
            html.append(escape(change.version())).append(" at ").append(number(change.atS())).append(" s (")
                    .append(change.source()).append(") ");
        }
        html.append("</p>\n");
    }

    private static void row(StringBuilder html, String name, long responses, long server) {
        html.append("<tr><td>").append(name).append("</td><td>").append(responses).append("</td><td>").append(server)
                .append("</td></tr>\n");
    }

    private static String pair(Distribution distribution) {
        return number(distribution.p50()) + " / " + number(distribution.p99());
    }

    private static String times(Double ratio) {
        return ratio == null ? "–" : String.format(Locale.ROOT, "%.2f×", ratio);
    }

    private static String number(Double value) {
        return value == null ? "–" : String.format(Locale.ROOT, "%.3g", value);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
