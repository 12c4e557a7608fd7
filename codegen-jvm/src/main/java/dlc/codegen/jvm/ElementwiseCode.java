package dlc.codegen.jvm;

import dlc.ir.DType;
import dlc.ir.Node;
import dlc.ir.Value;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

import java.util.List;

/**
 * The bytecode of one elementwise op at one point of a loop nest: operands are in JVM locals
 * ({@code float} for f32 values, {@code double} for every other dtype), the result is left on the
 * stack in its own storage type. Semantics follow the reference interpreter; float ops without an
 * opcode compute in double and round once ({@code dlc.runtime.Fn}).
 */
final class ElementwiseCode implements Opcodes {
    private static final String FN = BindTable.RT + "Fn", INTS = BindTable.NUM + "Ints", MATH = "java/lang/Math";

    private ElementwiseCode() {}

    static boolean isFloat(Value v) { return KernelEmitter.isFloat(v.type().dtype()); }

    /** Loads local {@code slot} holding {@code v}, converted to float ({@code asFloat}) or double. */
    static void load(MethodVisitor mv, Value v, int slot, boolean asFloat) {
        boolean f = isFloat(v);
        mv.visitVarInsn(f ? FLOAD : DLOAD, slot);
        if (f && !asFloat) mv.visitInsn(F2D);
        else if (!f && asFloat) mv.visitInsn(D2F);
    }

    static void emit(MethodVisitor mv, Node n, List<Integer> locals) {
        String op = n.op().name();
        Value out = n.output();
        boolean f = isFloat(out);
        List<Value> in = n.inputs();
        if (isInteger(out) && INTEGER_OPS.contains(op)) {
            integerCall(mv, n, locals);
            return;
        }
        switch (op) {
            case "constant" -> {
                double c = n.attrs().getDoubles("values")[0];
                if (f) mv.visitLdcInsn((float) c);
                else mv.visitLdcInsn(c);
            }
            case "stop_gradient", "broadcast_to" -> load(mv, in.get(0), locals.get(0), f);
            case "neg" -> { load(mv, in.get(0), locals.get(0), f); mv.visitInsn(f ? FNEG : DNEG); }
            case "abs" -> unaryNative(mv, in, locals, f, "abs");
            case "sign" -> unaryNative(mv, in, locals, f, "signum");
            case "relu", "sigmoid" -> {
                load(mv, in.get(0), locals.get(0), f);
                mv.visitMethodInsn(INVOKESTATIC, FN, op, f ? "(F)F" : "(D)D", false);
            }
            case "tanh" -> {
                if (f) {
                    load(mv, in.get(0), locals.get(0), true);
                    mv.visitMethodInsn(INVOKESTATIC, FN, "tanh", "(F)F", false);
                } else viaDouble(mv, in, locals, false, MATH, op);
            }
            case "exp", "log", "log1p", "expm1", "sqrt", "sin", "cos", "floor" -> viaDouble(mv, in, locals, f, MATH, op);
            case "rsqrt", "erf" -> viaDouble(mv, in, locals, f, FN, op);
            case "not" -> {
                load(mv, in.get(0), locals.get(0), false);
                mv.visitMethodInsn(INVOKESTATIC, FN, "not", "(D)D", false);
            }
            case "add", "sub", "mul", "div" -> arith(mv, n, locals, f, op);
            case "mod", "trunc_div", "trunc_mod", "pow" -> {
                binary(mv, in, locals, false);
                String name = switch (op) {
                    case "mod" -> "floorMod";
                    case "trunc_div" -> "truncDiv";
                    case "trunc_mod" -> "truncMod";
                    default -> "pow";
                };
                mv.visitMethodInsn(INVOKESTATIC, op.equals("pow") ? MATH : FN, name, "(DD)D", false);
                if (f) mv.visitInsn(D2F);
            }
            case "maximum", "minimum" -> {
                binary(mv, in, locals, f);
                mv.visitMethodInsn(INVOKESTATIC, FN, op, f ? "(FF)F" : "(DD)D", false);
            }
            case "lt", "le", "gt", "ge", "eq", "ne" -> {
                boolean fa = isFloat(in.get(0)) && isFloat(in.get(1));
                binary(mv, in, locals, fa);
                mv.visitMethodInsn(INVOKESTATIC, FN, op, fa ? "(FF)D" : "(DD)D", false);
            }
            case "and", "or" -> {
                binary(mv, in, locals, false);
                mv.visitMethodInsn(INVOKESTATIC, FN, op, "(DD)D", false);
            }
            case "where" -> {
                Label other = new Label(), done = new Label();
                load(mv, in.get(0), locals.get(0), false);
                mv.visitInsn(DCONST_0);
                mv.visitInsn(DCMPL);
                mv.visitJumpInsn(IFEQ, other);
                load(mv, in.get(1), locals.get(1), f);
                mv.visitJumpInsn(GOTO, done);
                mv.visitLabel(other);
                load(mv, in.get(2), locals.get(2), f);
                mv.visitLabel(done);
            }
            case "cast" -> cast(mv, in.get(0), locals.get(0), out.type().dtype());
            default -> throw new UnsupportedOperationException("the JVM backend cannot inline elementwise op " + op + " (at " + n.loc() + ")");
        }
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

    /** Integer ops that can overflow or divide: the interpreter computes them with {@code dlc.numerics.Ints}. */
    private static final java.util.Set<String> INTEGER_OPS =
            java.util.Set.of("neg", "abs", "add", "sub", "mul", "div", "mod", "trunc_div", "trunc_mod", "pow");

    static boolean isInteger(Value v) { return v.type().dtype().isInteger(); }

    /**
     * An integer op as a call of {@code dlc.numerics.Ints} (the interpreter's definition): operands
     * as doubles, then the dtype's kind; wraps as two's complement, divisions floor or truncate.
     */
    private static void integerCall(MethodVisitor mv, Node n, List<Integer> locals) {
        String op = n.op().name();
        boolean unary = n.inputs().size() == 1;
        if (unary) load(mv, n.input(0), locals.get(0), false);
        else binary(mv, n.inputs(), locals, false);
        mv.visitLdcInsn(n.output().type().dtype().intKind());
        String name = switch (op) {
            case "trunc_div" -> "truncDiv";
            case "trunc_mod" -> "truncMod";
            default -> op;
        };
        mv.visitMethodInsn(INVOKESTATIC, INTS, name, unary ? "(DI)D" : "(DDI)D", false);
    }

    private static void arith(MethodVisitor mv, Node n, List<Integer> locals, boolean f, String op) {
        List<Value> in = n.inputs();
        binary(mv, in, locals, f);
        int base = switch (op) {
            case "add" -> FADD;
            case "sub" -> FSUB;
            case "mul" -> FMUL;
            default -> FDIV;
        };
        mv.visitInsn(f ? base : base + 1); // DADD = FADD + 1, and so on
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
