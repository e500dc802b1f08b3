package io.elasticci.buildkite.token.api.crd;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;

/**
 * Evaluates CRD validation rules with cel-java the way the API server does for the rules used here: {@code self}
 * (and {@code oldSelf} for transition rules) bound to the JSON value of the schema node, standard macros, a boolean
 * result. Kubernetes adds extension libraries (strings, lists, regex, ...) that the CRD's rules do not use.
 */
public final class CelRules {

    private static final Cel CEL = CelFactory.standardCelBuilder()
            .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
            .addVar("self", SimpleType.DYN)
            .addVar("oldSelf", SimpleType.DYN)
            .build();
    private static final Map<String, CelAbstractSyntaxTree> COMPILED = new ConcurrentHashMap<>();

    private CelRules() {
    }

    /**
     * A rule's outcome. The API server refuses an object both when a rule is false and when it cannot be evaluated
     * (a field of the wrong type, say), so callers treat both as a rejection; tests tell them apart.
     */
    public enum Verdict {
        PASS, FAIL, ERROR
    }

    /** Compiles the rule (type-checked: it must yield a bool); a rule that does not is a bug in the CRD. */
    public static CelAbstractSyntaxTree compile(String rule) {
        return COMPILED.computeIfAbsent(rule, r -> {
            try {
                CelAbstractSyntaxTree ast = CEL.compile(r).getAst();
                if (!SimpleType.BOOL.equals(ast.getResultType())) {
                    throw new IllegalArgumentException("rule does not yield a bool but " + ast.getResultType()
                            + ": " + r);
                }
                return ast;
            } catch (CelValidationException e) {
                throw new IllegalArgumentException("rule does not compile: " + r + "\n" + e.getMessage(), e);
            }
        });
    }

    /** The rule's verdict for {@code self} (and {@code oldSelf}, null for a create). */
    public static Verdict evaluate(String rule, Object self, Object oldSelf) {
        Map<String, Object> variables = new HashMap<>();
        variables.put("self", toCel(self));
        if (oldSelf != null) {
            variables.put("oldSelf", toCel(oldSelf));
        }
        try {
            return Boolean.TRUE.equals(CEL.createProgram(compile(rule)).eval(variables)) ? Verdict.PASS
                    : Verdict.FAIL;
        } catch (CelEvaluationException e) {
            return Verdict.ERROR;
        }
    }

    /** JSON values as CEL sees them: integers are int64, maps and lists recursively converted. */
    static Object toCel(Object value) {
        if (value instanceof Integer i) {
            return i.longValue();
        }
        if (value instanceof Map<?, ?> map) {
            Map<Object, Object> converted = new LinkedHashMap<>();
            map.forEach((k, v) -> converted.put(k, toCel(v)));
            return converted;
        }
        if (value instanceof List<?> list) {
            return list.stream().map(CelRules::toCel).toList();
        }
        return value;
    }
}
