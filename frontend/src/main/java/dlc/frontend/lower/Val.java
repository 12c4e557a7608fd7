package dlc.frontend.lower;

import dlc.frontend.ast.Ast;
import dlc.ir.DType;
import dlc.ir.Dim;
import dlc.ir.Value;

import java.util.List;

/**
 * A value of the staging evaluator. Everything but {@link TensorV} exists only at compile time;
 * a tensor is an IR value of the graph being built. {@link ErrorV} stands for the result of a
 * failed statement: any use of it stops silently, so one mistake gives one diagnostic.
 */
public sealed interface Val {
    /** The kind as users read it in messages: "int", "tensor f32[B, 10]", "function dense". */
    String describe();

    record IntV(long v) implements Val {
        public String describe() { return "int " + v; }
    }

    record FloatV(double v) implements Val {
        public String describe() { return "float " + v; }
    }

    record BoolV(boolean v) implements Val {
        public static final BoolV TRUE = new BoolV(true), FALSE = new BoolV(false);

        public static BoolV of(boolean b) { return b ? TRUE : FALSE; }

        public String describe() { return "bool " + v; }
    }

    record StrV(String v) implements Val {
        public String describe() { return "str \"" + v + "\""; }
    }

    /** A symbolic dim (never a constant: constants are {@link IntV}; see {@link Vals#ofDim}). */
    record DimV(Dim d) implements Val {
        public String describe() { return "dim " + d; }
    }

    /** A tuple or a list; both are compile-time sequences, the flag only affects printing. */
    record SeqV(List<Val> items, boolean list) implements Val {
        public SeqV {
            items = List.copyOf(items);
        }

        public static SeqV tuple(List<Val> items) { return new SeqV(items, false); }

        public String describe() { return (list ? "list" : "tuple") + " of " + items.size(); }
    }

    record DTypeV(DType t) implements Val {
        public String describe() { return "dtype " + t; }
    }

    record NoneV() implements Val {
        public static final NoneV NONE = new NoneV();

        public String describe() { return "none"; }
    }

    record TensorV(Value v) implements Val {
        public String describe() { return "tensor " + v.type(); }
    }

    record ModuleV(LoadedModule m) implements Val {
        public String describe() { return "module " + m.name(); }
    }

    record ModelV(Ast.Model model) implements Val {
        public String describe() { return "model " + model.name(); }
    }

    /** The poisoned result of a failed statement. */
    record ErrorV() implements Val {
        public static final ErrorV ERROR = new ErrorV();

        public String describe() { return "error"; }
    }

    /** Anything callable. */
    sealed interface FnV extends Val permits DefFn, LambdaFn, BuiltinFn, SharedFn {
        String name();
    }

    /** A {@code def}, closed over the scope of the module that declares it. */
    record DefFn(Ast.Def def, Env moduleEnv) implements FnV {
        public String name() { return def.name(); }

        public String describe() { return "function " + def.name(); }
    }

    /** A lambda, closed over the scope where it was evaluated. */
    record LambdaFn(Ast.Lambda lambda, Env env) implements FnV {
        public String name() { return "fn"; }

        public String describe() { return "lambda"; }
    }

    /** A def's shared instance, made by {@code share(f)}: its calls share one parameter scope. */
    record SharedFn(SharedInstance instance) implements FnV {
        public String name() { return instance.def().name(); }

        public String describe() { return "shared instance of " + instance.def().name(); }
    }

    record BuiltinFn(Builtin builtin) implements FnV {
        public String name() { return builtin.name(); }

        public String describe() { return "builtin " + builtin.name(); }
    }
}
