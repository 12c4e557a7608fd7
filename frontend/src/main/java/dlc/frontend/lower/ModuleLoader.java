package dlc.frontend.lower;

import dlc.frontend.Diagnostic;
import dlc.frontend.ast.Ast;
import dlc.frontend.ast.Ast.*;
import dlc.frontend.ast.Span;
import dlc.frontend.lower.Val.*;

import java.util.*;

/**
 * Loads modules and declares their top-level names. Imports are resolved through a
 * {@link SourceProvider}, each module is loaded once, cycles and missing modules are
 * diagnostics. Every module's scope nests in the prelude's ({@code std/prelude.dl}, when the
 * classpath has it), which nests in the builtins.
 */
final class ModuleLoader {
    static final List<String> PRELUDE = List.of("std", "prelude");

    private final Interp in;
    private final SourceProvider provider;
    private final FileParser parser;
    private final Map<String, LoadedModule> cache = new HashMap<>();
    private final Set<String> broken = new HashSet<>();
    private final List<String> loading = new ArrayList<>();
    private final List<String> loadingNames = new ArrayList<>();
    /** Text of every file read, by file name, for caret rendering. */
    final Map<String, String> sources = new LinkedHashMap<>();
    private Env preludeEnv;

    ModuleLoader(Interp in, SourceProvider provider, FileParser parser) {
        this.in = in;
        this.provider = provider;
        this.parser = parser;
    }

    /** Loads the prelude if the classpath has one; modules loaded afterwards see its names. */
    void loadPrelude() {
        Optional<SourceProvider.Source> src = provider.find(PRELUDE, null);
        if (src.isEmpty()) return;
        LoadedModule m = load(PRELUDE, src.get(), null);
        if (m != null) preludeEnv = m.env();
    }

    /** True once an imported module (or the prelude) had syntax errors: they are reported, and nothing further is checked. */
    boolean hasBrokenModule() { return !broken.isEmpty(); }

    private Env parentEnv() { return preludeEnv != null ? preludeEnv : in.builtins; }

    /** Declares the main file, already parsed. */
    LoadedModule loadMain(String fileName, String text, Ast.Program program) {
        sources.put(fileName, text);
        String key = "main:" + fileName;
        loading.add(key);
        loadingNames.add(fileName);
        try {
            LoadedModule m = declare(fileName, fileName, program);
            cache.put(key, m);
            return m;
        } finally {
            loading.remove(loading.size() - 1);
            loadingNames.remove(loadingNames.size() - 1);
        }
    }

    private LoadedModule load(List<String> path, SourceProvider.Source src, Span importSpan) {
        LoadedModule done = cache.get(src.key());
        if (done != null) return done;
        String name = String.join(".", path);
        int at = loading.indexOf(src.key());
        if (at >= 0) {
            List<String> cycle = new ArrayList<>(loadingNames.subList(at, loadingNames.size()));
            cycle.add(name);
            throw in.error(importSpan, "import cycle: " + String.join(" -> ", cycle),
                    "move what both modules need into a third module");
        }
        sources.put(src.fileName(), src.text());
        FileParser.Parsed parsed = parser.parse(src.fileName(), src.text());
        for (Diagnostic d : parsed.diagnostics()) in.reporter.report(d);
        if (parsed.diagnostics().stream().anyMatch(Diagnostic::isError)) {
            // The parser's error recovery leaves holes (nulls) in the tree: it is never evaluated.
            // The module binds no names; importers get ErrorV for them, and compilation stops
            // after the importing file's declarations (see hasBrokenModule).
            broken.add(src.key());
            LoadedModule empty = new LoadedModule(name, src.fileName(), new Ast.Program(src.fileName(), List.of()), new Env(parentEnv()));
            cache.put(src.key(), empty);
            return empty;
        }
        loading.add(src.key());
        loadingNames.add(name);
        try {
            LoadedModule m = declare(name, src.fileName(), parsed.program());
            cache.put(src.key(), m);
            return m;
        } finally {
            loading.remove(loading.size() - 1);
            loadingNames.remove(loadingNames.size() - 1);
        }
    }

    // ---- declaring a module's names ------------------------------------------------------------

    private LoadedModule declare(String name, String file, Ast.Program program) {
        Env env = new Env(parentEnv());
        LoadedModule m = new LoadedModule(name, file, program, env);
        Map<String, Span> first = new HashMap<>();
        for (Decl d : program.decls()) {
            try {
                if (d instanceof Import imp) importDecl(imp, m, first);
                else if (d instanceof Def def) bindOnce(def.name(), def.span(), new DefFn(def, env), m, first);
                else if (d instanceof Model model) bindOnce(model.name(), model.span(), new ModelV(model), m, first);
            } catch (CompileError e) {
                in.reporter.report(e);
            }
        }
        // consts run after every def is bound, so a const may call a def written below it
        for (Decl d : program.decls()) {
            if (!(d instanceof Const c)) continue;
            Val v;
            try {
                v = in.eval(c.value(), env);
            } catch (CompileError e) {
                in.reporter.report(e);
                v = ErrorV.ERROR;
            }
            try {
                bindOnce(c.name(), c.span(), v, m, first);
            } catch (CompileError e) {
                in.reporter.report(e);
            }
        }
        return m;
    }

    private void bindOnce(String name, Span span, Val v, LoadedModule m, Map<String, Span> first) {
        Span prev = first.putIfAbsent(name, span);
        if (prev != null)
            throw new CompileError(Diagnostic.error(span, "duplicate definition of '" + name + "'",
                    "rename one of them; a module binds each name once").withNote(new Diagnostic.Note(prev, "'" + name + "' is first defined")));
        m.env().define(name, v);
    }

    private void importDecl(Import imp, LoadedModule m, Map<String, Span> first) {
        if (imp.braced()) {
            LoadedModule target = require(imp.module(), imp.span(), m.file());
            for (ImportName n : imp.names())
                try {
                    bindOnce(n.alias() != null ? n.alias() : n.name(), n.span(), exported(target, n.name(), n.span()), m, first);
                } catch (CompileError e) {
                    in.reporter.report(e);
                }
            return;
        }
        // `import a.b.c`: the module a.b.c (bound as c), else the name c of module a.b
        List<String> full = new ArrayList<>(imp.module());
        for (ImportName n : imp.names()) full.add(n.name());
        String alias = imp.names().size() == 1 && imp.names().get(0).alias() != null ? imp.names().get(0).alias() : full.get(full.size() - 1);
        Optional<SourceProvider.Source> whole = provider.find(full, m.file());
        if (whole.isPresent()) {
            LoadedModule target = load(full, whole.get(), imp.span());
            bindOnce(alias, imp.span(), new ModuleV(target), m, first);
            return;
        }
        if (full.size() >= 2) {
            List<String> prefix = full.subList(0, full.size() - 1);
            Optional<SourceProvider.Source> mod = provider.find(prefix, m.file());
            if (mod.isPresent()) {
                LoadedModule target = load(prefix, mod.get(), imp.span());
                bindOnce(alias, imp.span(), exported(target, full.get(full.size() - 1), imp.span()), m, first);
                return;
            }
        }
        throw unknownModule(full, imp.span());
    }

    private String cacheKey(LoadedModule target) {
        for (var e : cache.entrySet()) if (e.getValue() == target) return e.getKey();
        return "";
    }

    /** The module at path (such as std.optim), loaded if needed; null when no file has it. */
    LoadedModule module(List<String> path) {
        Optional<SourceProvider.Source> src = provider.find(path, null);
        return src.isEmpty() ? null : load(path, src.get(), null);
    }

    private LoadedModule require(List<String> path, Span span, String importingFile) {
        Optional<SourceProvider.Source> src = provider.find(path, importingFile);
        if (src.isEmpty()) throw unknownModule(path, span);
        return load(path, src.get(), span);
    }

    private CompileError unknownModule(List<String> path, Span span) {
        String name = String.join(".", path);
        String hint = path.get(0).equals("std")
                ? "std modules are std/*.dl resources of the stdlib; check the spelling"
                : "a relative import a.b reads a/b.dl next to the importing file";
        return in.error(span, "unknown module '" + name + "'", hint);
    }

    private Val exported(LoadedModule target, String name, Span span) {
        Val v = target.exports().get(name);
        if (v != null) return v;
        if (broken.contains(cacheKey(target))) return ErrorV.ERROR; // its syntax errors are already reported
        throw in.error(span, "module " + target.name() + " has no name '" + name + "'",
                Names.didYouMean(name, target.exports().keySet()));
    }
}
