package dlc.frontend.lower;

import dlc.frontend.ast.Ast;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A loaded .dl file: its dotted name ({@code std.nn}, or the file name for the main file), the
 * file it came from, its syntax tree and its top-level scope. Every name bound in that scope
 * (defs, consts, models and imported names) is exported.
 */
public record LoadedModule(String name, String file, Ast.Program program, Env env) {
    public Map<String, Val> exports() {
        Map<String, Val> out = new LinkedHashMap<>();
        for (String n : env.names()) out.put(n, env.local(n));
        return out;
    }
}
