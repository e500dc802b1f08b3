package io.elasticci.buildkite.token.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.elasticci.buildkite.token.plan.Action;
import io.elasticci.buildkite.token.plan.Problem;

/** The plans as a table for people, or as JSON for a CI job that comments on a pull request. */
final class PlanPrinter {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private PlanPrinter() {
    }

    static void print(List<TokenPlan> plans, PlanArguments.Format format, PrintStream out) {
        if (format == PlanArguments.Format.JSON) {
            out.println(json(plans));
        } else {
            out.print(table(plans));
        }
    }

    static String json(List<TokenPlan> plans) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("exitCode", TokenPlan.exitCode(plans));
        root.put("summary", summary(plans));
        root.put("resources", plans.stream().map(PlanPrinter::resource).toList());
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<String, Object> resource(TokenPlan plan) {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("source", plan.source());
        node.put("namespace", plan.namespace());
        node.put("name", plan.name());
        node.put("outcome", plan.outcome().name());
        node.put("errors", plan.errors());
        node.put("actions", plan.actions().stream().map(PlanPrinter::action).toList());
        node.put("problems", plan.problems().stream().map(PlanPrinter::problem).toList());
        plan.failure().ifPresent(f -> node.put("failure", f));
        node.put("notes", plan.notes());
        return node;
    }

    private static Map<String, Object> action(Action action) {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("action", action.name());
        node.put("region", action.region());
        node.put("target", action.target());
        node.put("detail", action.detail());
        return node;
    }

    private static Map<String, Object> problem(Problem problem) {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("reason", problem.reason().name());
        node.put("terminal", problem.reason().isTerminal());
        node.put("region", problem.region());
        node.put("message", problem.message());
        return node;
    }

    private static Map<String, Integer> summary(List<TokenPlan> plans) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (TokenPlan.Outcome outcome : TokenPlan.Outcome.values()) {
            counts.put(outcome.name(), (int) plans.stream().filter(p -> p.outcome() == outcome).count());
        }
        counts.put("actions", plans.stream().mapToInt(p -> p.actions().size()).sum());
        return counts;
    }

    static String table(List<TokenPlan> plans) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"RESOURCE", "OUTCOME", "ACTION", "REGION", "TARGET", "DETAIL"});
        StringBuilder details = new StringBuilder();
        for (TokenPlan plan : plans) {
            String resource = plan.namespace() + "/" + plan.name();
            if (plan.actions().isEmpty()) {
                rows.add(new String[] {resource, plan.outcome().name(), "-", "", "", ""});
            }
            for (Action action : plan.actions()) {
                rows.add(new String[] {resource, plan.outcome().name(), action.name(), action.region(),
                        action.target(), action.detail()});
            }
            plan.errors().forEach(e -> details.append(resource).append(" invalid (").append(plan.source())
                    .append("): ").append(e).append('\n'));
            plan.failure().ifPresent(f -> details.append(resource).append(" failed: ").append(f).append('\n'));
            plan.problems().forEach(p -> details.append(resource).append(' ').append(p.reason())
                    .append(p.reason().isTerminal() ? " (terminal)" : "")
                    .append(p.region() == null ? "" : " in " + p.region()).append(": ").append(p.message())
                    .append('\n'));
            plan.notes().forEach(n -> details.append(resource).append(" note: ").append(n).append('\n'));
        }
        StringBuilder out = new StringBuilder(columns(rows));
        if (!details.isEmpty()) {
            out.append('\n').append(details);
        }
        Map<String, Integer> summary = summary(plans);
        out.append('\n').append(plans.size()).append(plans.size() == 1 ? " resource: " : " resources: ")
                .append(summary.get("CHANGES")).append(" with changes (").append(summary.get("actions"))
                .append(" actions), ").append(summary.get("NO_CHANGES")).append(" unchanged, ")
                .append(summary.get("INVALID")).append(" invalid, ").append(summary.get("STALLED"))
                .append(" stalled, ").append(summary.get("FAILED")).append(" failed")
                .append(summary.get("VALID") > 0 ? ", " + summary.get("VALID") + " valid (not planned)" : "")
                .append('\n');
        return out.toString();
    }

    private static String columns(List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], String.valueOf(row[i]).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(String.format("%-" + widths[i] + "s", String.valueOf(row[i])));
                if (i < row.length - 1) {
                    line.append("  ");
                }
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }
}
