package dlc.codegen.jvm;

import dlc.ir.DType;
import dlc.ir.Node;
import dlc.ir.Value;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import dlc.codegen.jvm.Lowering.InlineCode;

import java.util.List;

/**
 * The inline code of the elementwise ops ({@link Lowering.InlineCode}: one op at one point of a loop
 * nest; operands are in JVM locals, {@code float} for f32 values and {@code double} for every other
 * dtype; the result is left on the stack in its own storage type). The {@link LoweringTable} names
 * the code of each op. Semantics follow the reference interpreter; float ops without an opcode
 * compute in double and round once ({@code dlc.runtime.Fn}).
 */
final class ElementwiseCode implements Opcodes {
    static final String FN = BindTable.RT + "Fn", INTS = BindTable.NUM + "Ints", MATH = "java/lang/Math",
            SPECIAL = BindTable.NUM + "SpecialFunctions";

    private ElementwiseCode() {}

    static boolean isFloat(Value v) { return KernelEmitter.isFloat(v.type().dtype()); }

    /** Loads local {@code slot} holding {@code v}, converted to float ({@code asFloat}) or double. */
    static void load(MethodVisitor mv, Value v, int slot, boolean asFloat) {
        boolean f = isFloat(v);
        mv.visitVarInsn(f ? FLOAD : DLOAD, slot);
        if (f && !asFloat) mv.visitInsn(F2D);
        else if (!f && asFloat) mv.visitInsn(D2F);
    }

    /** Emits node {@code n}'s code at the current point: the inline code its table entry gives. */
    static void emit(MethodVisitor mv, Node n, List<Integer> locals) {
        Lowering.InlineCode code = LoweringTable.of(n).inlineCode();
        if (code == null)
            throw new UnsupportedOperationException("the JVM backend cannot inline op " + n.op().name() + " (at " + n.loc() + ")");
        code.emit(mv, n, locals);
    }

    // ---- the code of each op (the lowering table names one per op)

    /** A splat constant: its one value as an immediate. */
    static final InlineCode CONSTANT = (mv, n, locals) -> {
        double c = n.attrs().getDoubles("values")[0];
        if (isFloat(n.output())) mv.visitLdcInsn((float) c);
        else mv.visitLdcInsn(c);
    };

    /** The operand itself (stop_gradient in a group; broadcast_to, whose nest reads the operand broadcast). */
    static final InlineCode OPERAND = (mv, n, locals) -> load(mv, n.input(0), locals.get(0), isFloat(n.output()));

    static final InlineCode NEG = (mv, n, locals) -> {
        boolean f = isFloat(n.output());
        load(mv, n.input(0), locals.get(0), f);
        mv.visitInsn(f ? FNEG : DNEG);
    };

    /** {@code java.lang.Math.method} in the result's storage type. */
    static InlineCode mathNative(String method) {
        return (mv, n, locals) -> unaryNative(mv, n.inputs(), locals, isFloat(n.output()), method);
    }

    /** {@code dlc.runtime.Fn.method}, (F)F for f32 and (D)D otherwise. */
    static InlineCode fnUnary(String method) {
        return (mv, n, locals) -> {
            boolean f = isFloat(n.output());
            load(mv, n.input(0), locals.get(0), f);
            mv.visitMethodInsn(INVOKESTATIC, FN, method, f ? "(F)F" : "(D)D", false);
        };
    }

    /** f32 through {@code Fn.tanh(F)F} (the exp intrinsic), every other dtype through Math.tanh. */
    static final InlineCode TANH = (mv, n, locals) -> {
        if (isFloat(n.output())) {
            load(mv, n.input(0), locals.get(0), true);
            mv.visitMethodInsn(INVOKESTATIC, FN, "tanh", "(F)F", false);
        } else viaDouble(mv, n.inputs(), locals, false, MATH, "tanh");
    };

    /** {@code java.lang.Math.method(D)D}, rounded once to f32 for an f32 result. */
    static InlineCode mathViaDouble(String method) {
        return (mv, n, locals) -> viaDouble(mv, n.inputs(), locals, isFloat(n.output()), MATH, method);
    }

    /** {@code dlc.runtime.Fn.method(D)D}, rounded once to f32 for an f32 result. */
    static InlineCode fnViaDouble(String method) {
        return (mv, n, locals) -> viaDouble(mv, n.inputs(), locals, isFloat(n.output()), FN, method);
    }

    /**
     * {@code dlc.numerics.SpecialFunctions.method(D)D}, rounded once to f32 for an f32 result: the
     * interpreter's own function (erf, erfc), so a special function is written once for both.
     */
    static InlineCode specialViaDouble(String method) {
        return (mv, n, locals) -> viaDouble(mv, n.inputs(), locals, isFloat(n.output()), SPECIAL, method);
    }

    static final InlineCode NOT = (mv, n, locals) -> {
        load(mv, n.input(0), locals.get(0), false);
        mv.visitMethodInsn(INVOKESTATIC, FN, "not", "(D)D", false);
    };

    /** A float opcode ({@code FADD}, ...; the double one is the next opcode). */
    static InlineCode arith(int floatOpcode) {
        return (mv, n, locals) -> {
            boolean f = isFloat(n.output());
            binary(mv, n.inputs(), locals, f);
            mv.visitInsn(f ? floatOpcode : floatOpcode + 1); // DADD = FADD + 1, and so on
        };
    }

    /** {@code owner.method(DD)D} in double, rounded once to f32 for an f32 result (mod, trunc_div, trunc_mod, pow). */
    static InlineCode binaryViaDouble(String owner, String method) {
        return (mv, n, locals) -> {
            binary(mv, n.inputs(), locals, false);
            mv.visitMethodInsn(INVOKESTATIC, owner, method, "(DD)D", false);
            if (isFloat(n.output())) mv.visitInsn(D2F);
        };
    }

    /** {@code Fn.method}, (FF)F for f32 and (DD)D otherwise (maximum, minimum). */
    static InlineCode fnBinary(String method) {
        return (mv, n, locals) -> {
            boolean f = isFloat(n.output());
            binary(mv, n.inputs(), locals, f);
            mv.visitMethodInsn(INVOKESTATIC, FN, method, f ? "(FF)F" : "(DD)D", false);
        };
    }

    /** A comparison {@code Fn.method}: (FF)D when both operands are f32, else (DD)D; the result is 0/1. */
    static InlineCode comparison(String method) {
        return (mv, n, locals) -> {
            List<Value> in = n.inputs();
            boolean fa = isFloat(in.get(0)) && isFloat(in.get(1));
            binary(mv, in, locals, fa);
            mv.visitMethodInsn(INVOKESTATIC, FN, method, fa ? "(FF)D" : "(DD)D", false);
        };
    }

    /** A logical {@code Fn.method(DD)D} (and, or). */
    static InlineCode logical(String method) {
        return (mv, n, locals) -> {
            binary(mv, n.inputs(), locals, false);
            mv.visitMethodInsn(INVOKESTATIC, FN, method, "(DD)D", false);
        };
    }

    /**
     * where(c, a, b) without a branch: the mask m = -1 where c != 0 (NaN included, as DCMPL
     * orders it) and 0 elsewhere, then the result's bits are {@code b ^ ((a ^ b) & m)}. A relu's
     * gradient is a where on a mask that is true at about half the points in no pattern; as a
     * branch (C2 compiles a float select on x86 as a jump) it was mispredicted at every other
     * point: 7.5 ms for the 1.6M points of the reference CNN's first layer, against 0.8 ms as bits.
     * The result is exactly the selected operand, its NaN payload and the sign of a zero included.
     */
    static final InlineCode WHERE = (mv, n, locals) -> {
        List<Value> in = n.inputs();
        boolean f = isFloat(n.output());
        String box = f ? "java/lang/Float" : "java/lang/Double";
        load(mv, in.get(1), locals.get(1), f);
        mv.visitMethodInsn(INVOKESTATIC, box, f ? "floatToRawIntBits" : "doubleToRawLongBits", f ? "(F)I" : "(D)J", false);
        load(mv, in.get(2), locals.get(2), f);
        mv.visitMethodInsn(INVOKESTATIC, box, f ? "floatToRawIntBits" : "doubleToRawLongBits", f ? "(F)I" : "(D)J", false);
        mv.visitInsn(f ? IXOR : LXOR); // a ^ b
        load(mv, in.get(0), locals.get(0), false);
        mv.visitInsn(DCONST_0);
        mv.visitInsn(DCMPL); // -1, 0 or 1; 0 only where c == 0
        mv.visitInsn(DUP);
        mv.visitInsn(INEG);
        mv.visitInsn(IOR);
        mv.visitIntInsn(BIPUSH, 31);
        mv.visitInsn(ISHR); // m: -1 where c != 0, else 0
        if (!f) mv.visitInsn(I2L);
        mv.visitInsn(f ? IAND : LAND);
        load(mv, in.get(2), locals.get(2), f);
        mv.visitMethodInsn(INVOKESTATIC, box, f ? "floatToRawIntBits" : "doubleToRawLongBits", f ? "(F)I" : "(D)J", false);
        mv.visitInsn(f ? IXOR : LXOR);
        mv.visitMethodInsn(INVOKESTATIC, box, f ? "intBitsToFloat" : "longBitsToDouble", f ? "(I)F" : "(J)D", false);
    };

    static final InlineCode CAST = (mv, n, locals) -> cast(mv, n.input(0), locals.get(0), n.output().type().dtype());

    /**
     * {@code otherwise} for floating results; for an integer result the op can overflow or divide,
     * and runs as the interpreter defines it: {@code dlc.numerics.Ints.method} (operands as doubles,
     * then the dtype's kind; wraps as two's complement, divisions floor or truncate).
     */
    static InlineCode integersVia(String intsMethod, InlineCode otherwise) {
        return (mv, n, locals) -> {
            if (isInteger(n.output())) integerCall(mv, n, locals, intsMethod);
            else otherwise.emit(mv, n, locals);
        };
    }

    private static void unaryNative(MethodVisitor mv, List<Value> in, List<Integer> locals, boolean f, String method) {
        load(mv, in.get(0), locals.get(0), f);
        mv.visitMethodInsn(INVOKESTATIC, MATH, method, f ? "(F)F" : "(D)D", false);
    }

    private static void viaDouble(MethodVisitor mv, List<Value> in, List<Integer> locals, boolean f, String owner, String method) {
        load(mv, in.get(0), locals.get(0), false);
        mv.visitMethodInsn(INVOKESTATIC, owner, method, "(D)D", false);
        if (f) mv.visitInsn(D2F);
    }

    private static void binary(MethodVisitor mv, List<Value> in, List<Integer> locals, boolean asFloat) {
        load(mv, in.get(0), locals.get(0), asFloat);
        load(mv, in.get(1), locals.get(1), asFloat);
    }

    static boolean isInteger(Value v) { return v.type().dtype().isInteger(); }

    private static void integerCall(MethodVisitor mv, Node n, List<Integer> locals, String method) {
        boolean unary = n.inputs().size() == 1;
        if (unary) load(mv, n.input(0), locals.get(0), false);
        else binary(mv, n.inputs(), locals, false);
        mv.visitLdcInsn(n.output().type().dtype().intKind());
        mv.visitMethodInsn(INVOKESTATIC, INTS, method, unary ? "(DI)D" : "(DDI)D", false);
    }

    /** As the interpreter's {@code ElementwiseOps.convert}. */
    private static void cast(MethodVisitor mv, Value x, int local, DType to) {
        switch (to) {
            case F32 -> load(mv, x, local, true);
            case F64 -> load(mv, x, local, false);
            case BOOL -> {
                load(mv, x, local, false);
                mv.visitMethodInsn(INVOKESTATIC, FN, "toBool", "(D)D", false);
            }
            case F16 -> {
                load(mv, x, local, false);
                mv.visitMethodInsn(INVOKESTATIC, BindTable.NUM + "Half", "round", "(D)D", false);
            }
            default -> {
                load(mv, x, local, false);
                mv.visitInsn(x.type().dtype().isFloating() ? ICONST_0 : ICONST_1);
                mv.visitLdcInsn(to.intKind());
                mv.visitMethodInsn(INVOKESTATIC, INTS, "cast", "(DZI)D", false);
            }
        }
    }
}
