package dlc.frontend.lower;

import dlc.frontend.ast.Ast.Member;
import dlc.frontend.lower.Val.*;
import dlc.ir.Attrs;
import dlc.ir.Value;
import dlc.ir.ops.Ops;

import java.util.ArrayList;
import java.util.List;

/** Member access: module exports, and {@code .shape .dtype .rank .T} of tensors. */
final class Members {
    private Members() {}

    private static final List<String> TENSOR_MEMBERS = List.of("shape", "dtype", "rank", "T");

    static Val member(Interp in, Member m, Val target) {
        String name = m.name();
        if (target instanceof ModuleV mod) {
            Val v = mod.m().exports().get(name);
            if (v == null)
                throw in.error(m.span(), "module " + mod.m().name() + " has no member '" + name + "'",
                        Names.didYouMean(name, mod.m().exports().keySet()));
            if (v instanceof ErrorV) throw CompileError.poisoned();
            return v;
        }
        if (target instanceof TensorV t) {
            Value v = t.v();
            switch (name) {
                case "shape": return Vals.ofShape(v.type().shape());
                case "dtype": return new DTypeV(v.type().dtype());
                case "rank": return new IntV(v.type().rank());
                case "T": {
                    int r = v.type().rank();
                    if (r < 2) throw in.error(m.span(), ".T swaps the last two axes and needs rank >= 2, got " + v.type());
                    List<Long> perm = new ArrayList<>();
                    for (long i = 0; i < r; i++) perm.add(i);
                    perm.set(r - 2, (long) r - 1);
                    perm.set(r - 1, (long) r - 2);
                    return new TensorV(in.emit(m.span(), Ops.PERMUTE, Attrs.of("perm", perm), v));
                }
                default:
                    throw in.error(m.span(), "a tensor has no member '" + name + "'",
                            Names.didYouMean(name, TENSOR_MEMBERS) != null ? Names.didYouMean(name, TENSOR_MEMBERS)
                                    : "tensors have .shape, .dtype, .rank and .T");
            }
        }
        throw in.error(m.span(), Vals.kind(target) + " has no member '" + name + "'",
                target instanceof SeqV ? "index tuples with t[0]" : null);
    }
}
