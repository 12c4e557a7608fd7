package dlc.onnx;

import com.google.protobuf.ByteString;
import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import dlc.onnx.proto.Onnx.TensorProto;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Element types and tensor values between dlc and ONNX. dlc's tensors hold float64 values whatever
 * their dtype; ONNX tensors are written as little-endian raw data of their element type, and read
 * from raw data or from the typed repeated fields, whichever the writer used.
 */
public final class OnnxTensors {
    private OnnxTensors() {}

    /** The ONNX element type of a dlc dtype (by its spelling, so dtypes added to the IR map once named here). */
    public static int elemType(DType d) {
        return switch (d.text()) {
            case "f32" -> TensorProto.DataType.FLOAT_VALUE;
            case "f64" -> TensorProto.DataType.DOUBLE_VALUE;
            case "f16" -> TensorProto.DataType.FLOAT16_VALUE;
            case "i32" -> TensorProto.DataType.INT32_VALUE;
            case "i64" -> TensorProto.DataType.INT64_VALUE;
            case "bool" -> TensorProto.DataType.BOOL_VALUE;
            case "u8" -> TensorProto.DataType.UINT8_VALUE;
            case "i8" -> TensorProto.DataType.INT8_VALUE;
            default -> throw new OnnxException("dtype " + d + " has no ONNX element type here");
        };
    }

    /** The dlc dtype of an ONNX element type, or null when dlc has none. */
    public static DType dtype(int elemType) {
        String text = switch (elemType) {
            case TensorProto.DataType.FLOAT_VALUE -> "f32";
            case TensorProto.DataType.DOUBLE_VALUE -> "f64";
            case TensorProto.DataType.FLOAT16_VALUE -> "f16";
            case TensorProto.DataType.INT32_VALUE -> "i32";
            case TensorProto.DataType.INT64_VALUE -> "i64";
            case TensorProto.DataType.BOOL_VALUE -> "bool";
            case TensorProto.DataType.UINT8_VALUE -> "u8";
            case TensorProto.DataType.INT8_VALUE -> "i8";
            default -> null;
        };
        return text == null ? null : DType.fromText(text);
    }

    /** A readable name of an ONNX element type, for messages. */
    public static String elemTypeName(int elemType) {
        TensorProto.DataType t = TensorProto.DataType.forNumber(elemType);
        return t == null ? "element type " + elemType : t.name();
    }

    /** {@code t} as an ONNX tensor named {@code name}, in raw little-endian data. */
    public static TensorProto toProto(String name, Tensor t) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(elemType(t.dtype()));
        for (int d : t.shape()) b.addDims(d);
        double[] v = t.data();
        ByteBuffer buf;
        switch (t.dtype().text()) {
            case "f32" -> { buf = buffer(4 * v.length); for (double x : v) buf.putFloat((float) x); }
            case "f64" -> { buf = buffer(8 * v.length); for (double x : v) buf.putDouble(x); }
            case "i32" -> { buf = buffer(4 * v.length); for (double x : v) buf.putInt((int) x); }
            case "i64" -> { buf = buffer(8 * v.length); for (double x : v) buf.putLong((long) x); }
            case "f16" -> { buf = buffer(2 * v.length); for (double x : v) buf.putShort(floatToHalf((float) x)); }
            case "bool", "u8", "i8" -> { buf = buffer(v.length); for (double x : v) buf.put((byte) (long) x); }
            default -> throw new OnnxException("tensor " + name + ": dtype " + t.dtype() + " cannot be written to ONNX here");
        }
        return b.setRawData(ByteString.copyFrom(buf.array())).build();
    }

    private static ByteBuffer buffer(int bytes) { return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN); }

    /** An ONNX tensor as a dlc tensor; a type dlc lacks or stored data it cannot read is an {@link OnnxException}. */
    public static Tensor fromProto(TensorProto p) {
        String what = "tensor '" + p.getName() + "'";
        if (p.getDataLocation() == TensorProto.DataLocation.EXTERNAL || p.getExternalDataCount() > 0)
            throw new OnnxException(what + " keeps its data in an external file, which dlc import does not read");
        DType d = dtype(p.getDataType());
        if (d == null) throw new OnnxException(what + " has element type " + elemTypeName(p.getDataType()) + ", which dlc has no dtype for");
        int[] shape = new int[p.getDimsCount()];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
            long dim = p.getDims(i);
            if (dim < 0 || dim > Integer.MAX_VALUE) throw new OnnxException(what + " has a bad dim " + dim);
            shape[i] = (int) dim;
            n *= dim;
        }
        if (n > Integer.MAX_VALUE) throw new OnnxException(what + " is too large (" + n + " elements)");
        double[] v = new double[(int) n];
        String t = d.text();
        if (p.hasRawData()) {
            ByteBuffer buf = p.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            int width = switch (t) { case "f64", "i64" -> 8; case "f32", "i32" -> 4; case "f16" -> 2; default -> 1; };
            if (buf.remaining() != (long) width * n)
                throw new OnnxException(what + " holds " + buf.remaining() + " bytes of raw data, but " + Arrays.toString(shape) + " of "
                        + d + " needs " + (long) width * n);
            for (int i = 0; i < v.length; i++)
                v[i] = switch (t) {
                    case "f32" -> buf.getFloat();
                    case "f64" -> buf.getDouble();
                    case "i32" -> buf.getInt();
                    case "i64" -> buf.getLong();
                    case "f16" -> halfToFloat(buf.getShort());
                    case "u8" -> buf.get() & 0xff;
                    default -> buf.get(); // bool, i8
                };
        } else {
            int count = switch (t) {
                case "f32" -> p.getFloatDataCount();
                case "f64" -> p.getDoubleDataCount();
                case "i64" -> p.getInt64DataCount();
                default -> p.getInt32DataCount();
            };
            if (count != n)
                throw new OnnxException(what + " holds " + count + " values, but its shape " + Arrays.toString(shape) + " needs " + n);
            for (int i = 0; i < v.length; i++)
                v[i] = switch (t) {
                    case "f32" -> p.getFloatData(i);
                    case "f64" -> p.getDoubleData(i);
                    case "i64" -> p.getInt64Data(i);
                    case "f16" -> halfToFloat((short) p.getInt32Data(i));
                    default -> p.getInt32Data(i);
                };
        }
        if (t.equals("bool")) for (int i = 0; i < v.length; i++) v[i] = v[i] != 0 ? 1 : 0;
        return new Tensor(d, shape, v);
    }

    /** A float as IEEE 754 half precision bits, rounded to nearest even (overflow to infinity). */
    static short floatToHalf(float f) {
        int bits = Float.floatToIntBits(f), sign = (bits >>> 16) & 0x8000, exp = (bits >>> 23) & 0xff, mant = bits & 0x7fffff;
        if (exp == 0xff) return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 : 0));
        int e = exp - 127 + 15;
        if (e >= 0x1f) return (short) (sign | 0x7c00);
        int shift = 13, base = e << 10;
        if (e <= 0) { // subnormal in half precision
            if (e < -10) return (short) sign;
            mant |= 0x800000;
            shift = 14 - e;
            base = 0;
        }
        int half = mant >> shift, rem = mant & ((1 << shift) - 1), mid = 1 << (shift - 1);
        if (rem > mid || rem == mid && (half & 1) != 0) half++;
        return (short) (sign | (base + half)); // a carry out of the mantissa steps the exponent, as it should
    }

    /** IEEE 754 half precision bits to a float. */
    static float halfToFloat(short bits) {
        int h = bits & 0xffff, sign = (h >>> 15) << 31, exp = (h >>> 10) & 0x1f, mant = h & 0x3ff;
        if (exp == 0) return (sign == 0 ? 1 : -1) * mant * 0x1p-24f;
        if (exp == 31) return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}
