package io.elasticci.buildkite.token.bench;

import java.util.Map;

/** The soak's figures as a table for the console (the JSON beside it has them all). */
final class SoakReport {

    private SoakReport() {
    }

    static String table(Map<String, Object> report) {
        StringBuilder out = new StringBuilder("\nsoak on the packaged operator\n");
        row(out, "settings", report.get("settings"));
        row(out, "all Ready before the soak", report.get("allConvergedAtStart") + " in "
                + report.get("convergeSeconds") + " s");
        row(out, "rounds of changes / rotations", report.get("rounds") + " / " + report.get("rotations"));
        row(out, "fault phases (seconds)", report.get("faultSecondsByPhase"));
        Object soak = report.get("duringSoak");
        if (soak instanceof Map<?, ?> during) {
            row(out, "reconciles during the soak", during.get("reconciles"));
            row(out, "throttled calls / SDK retries", during.get("awsThrottledSeenByOperator") + " / "
                    + during.get("sdkRetries"));
            row(out, "CPU seconds during the soak", during.get("cpuSeconds"));
        }
        row(out, "all converged after faults stopped", report.get("settleSeconds") == null ? "no"
                : "in " + report.get("settleSeconds") + " s");
        row(out, "stuck", report.get("stuck"));
        row(out, "made twice or lost", report.get("duplicates"));
        row(out, "live heap after GC (MiB)", report.get("liveHeapMiB"));
        row(out, "token value in output", report.get("valueInOutput"));
        row(out, "operator at the end", report.get("operator"));
        return out.toString();
    }

    private static void row(StringBuilder out, String label, Object value) {
        out.append(String.format("| %-36s | %s%n", label, value));
    }
}
