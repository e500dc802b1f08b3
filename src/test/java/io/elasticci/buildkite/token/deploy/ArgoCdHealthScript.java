package io.elasticci.buildkite.token.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.jse.JseBaseLib;
import org.luaj.vm2.lib.jse.JseOsLib;

/**
 * Runs the Argo CD health check as an Argo CD controller runs it from {@code argocd-cm} (util/lua in Argo CD): the
 * resource as the global {@code obj}, numbers as Lua numbers, and only the base, package and table libraries plus
 * {@code os.time}/{@code os.date}, since Argo CD opens no other standard library unless told to (its own tests open
 * them all, so a script can pass there and fail in a cluster). The returned table becomes a status and a message;
 * a status that is not an Argo CD health code becomes Unknown, as Argo CD reports it.
 */
public final class ArgoCdHealthScript {

    /** The check in the layout of Argo CD's resource_customizations directory. */
    public static final Path DIR = Path.of(
            "deploy/argocd/resource_customizations/buildkite.elasticci.io/BuildkiteAgentToken");
    public static final Path SCRIPT = DIR.resolve("health.lua");

    static final Set<String> HEALTH_CODES = Set.of("Healthy", "Progressing", "Degraded", "Suspended", "Missing",
            "Unknown");

    /** What health.lua returned; an absent field is the empty string, as in Argo CD's HealthStatus. */
    public record HealthStatus(String status, String message) {
    }

    private ArgoCdHealthScript() {
    }

    public static HealthStatus evaluate(Map<String, Object> resource) {
        try {
            return evaluate(Files.readString(SCRIPT), resource);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static HealthStatus evaluate(String script, Map<String, Object> resource) {
        Globals globals = argoCdGlobals();
        globals.set("obj", toLua(resource));
        LuaValue result = globals.load(script, "health.lua").call();
        if (result.isnil()) {
            return new HealthStatus("", "");
        }
        if (!result.istable()) {
            throw new AssertionError("health.lua returned a " + result.typename() + ", not a table");
        }
        HealthStatus health = new HealthStatus(text(result.get("status")), text(result.get("message")));
        return HEALTH_CODES.contains(health.status()) ? health
                : new HealthStatus("Unknown", "Lua returned an invalid health status");
    }

    private static Globals argoCdGlobals() {
        Globals globals = new Globals();
        globals.load(new JseBaseLib());
        globals.load(new PackageLib());
        globals.load(new TableLib());
        globals.load(new JseOsLib());
        LuaValue os = globals.get("os");
        LuaTable safeOs = new LuaTable();
        safeOs.set("time", os.get("time"));
        safeOs.set("date", os.get("date"));
        globals.set("os", safeOs);
        LoadState.install(globals);
        LuaC.install(globals);
        return globals;
    }

    private static String text(LuaValue value) {
        return value.isnil() ? "" : value.tojstring();
    }

    /** Argo CD decodes the object from JSON: maps become tables, lists sequences, every number a float. */
    private static LuaValue toLua(Object value) {
        if (value instanceof Map<?, ?> map) {
            LuaTable table = new LuaTable();
            map.forEach((k, v) -> table.set(String.valueOf(k), toLua(v)));
            return table;
        }
        if (value instanceof List<?> list) {
            LuaTable table = new LuaTable();
            for (int i = 0; i < list.size(); i++) {
                table.set(i + 1, toLua(list.get(i)));
            }
            return table;
        }
        if (value instanceof Boolean b) {
            return LuaValue.valueOf(b);
        }
        if (value instanceof Number n) {
            return LuaValue.valueOf(n.doubleValue());
        }
        return value == null ? LuaValue.NIL : LuaValue.valueOf(value.toString());
    }
}
