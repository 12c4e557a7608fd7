package dlc.frontend.lower;

import dlc.frontend.lower.Val.*;

import java.util.ArrayList;
import java.util.List;

/** Every builtin, by family; the outermost scope of every module. */
final class BuiltinTable {
    private BuiltinTable() {}

    static List<Builtin> all() {
        List<Builtin> out = new ArrayList<>();
        out.addAll(BuiltinsElementwise.all());
        out.addAll(BuiltinsReduce.all());
        out.addAll(BuiltinsMovement.all());
        out.addAll(BuiltinsCreation.all());
        out.addAll(BuiltinsContraction.all());
        out.addAll(BuiltinsRandom.all());
        out.addAll(BuiltinsControl.all());
        out.addAll(BuiltinsGrad.all());
        out.addAll(BuiltinsResize.all());
        out.addAll(BuiltinsCompileTime.all());
        return out;
    }

    /** A fresh scope holding the builtins and {@code none}. */
    static Env env() {
        Env env = new Env(null);
        for (Builtin b : all()) {
            if (env.local(b.name()) != null) throw new IllegalStateException("builtin " + b.name() + " defined twice");
            env.define(b.name(), new BuiltinFn(b));
        }
        env.define("none", NoneV.NONE);
        return env;
    }
}
