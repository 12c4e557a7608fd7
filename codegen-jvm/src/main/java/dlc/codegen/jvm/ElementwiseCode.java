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
    private static final String FN = BindTable.RT + "Fn", MATH = "java/lang/Math";

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
            case "mod" -> {
                binary(mv, in, locals, false);
                mv.visitMethodInsn(INVOKESTATIC, FN, in.get(0).type().dtype().isInteger() ? "imod" : "floorMod", "(DD)D", false);
                if (f) mv.visitInsn(D2F);
            }
            case "pow" -> {
                binary(mv, in, locals, false);
                mv.visitMethodInsn(INVOKESTATIC, MATH, "pow", "(DD)D", false);
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

    private static void arith(MethodVisitor mv, Node n, List<Integer> locals, boolean f, String op) {
        List<Value> in = n.inputs();
        binary(mv, in, locals, f);
        if (!f && op.equals("div") && in.get(0).type().dtype().isInteger()) {
            mv.visitMethodInsn(INVOKESTATIC, FN, "idiv", "(DD)D", false);
            return;
        }
        int base = switch (op) {
            case "add" -> FADD;
            case "sub" -> FSUB;
            case "mul" -> FMUL;
            default -> FDIV;
        };
        mv.visitInsn(f ? base : base + 1); // DADD = FADD + 1, and so on
    }

    private static void cast(MethodVisitor mv, Value x, int local, DType to) {
        switch (to) {
            case F32 -> load(mv, x, local, true);
            case F64 -> load(mv, x, local, false);
            default -> {
                load(mv, x, local, false);
                String m = switch (to) {
                    case BOOL -> "toBool";
                    case I32 -> "toI32";
                    case I64 -> "toI64";
                    default -> "toF16";
                };
                mv.visitMethodInsn(INVOKESTATIC, FN, m, "(D)D", false);
            }
        }
    }
}
