package dlc.onnx;

import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import dlc.onnx.proto.Onnx.TensorProto;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Tensor values through ONNX's TensorProto: every dtype both ways, the typed fields other writers use, and bad data. */
class OnnxTensorsTest {
    @Test void everyDtypeRoundTripsThroughRawData() {
        double[][] values = {
                {1.5, -2.25, 0, 3e-3}, {1.5, -2.25, 0, 1e-300}, {0.5, -2, 65504, 6.103515625e-05},
                {7, -3, 0, 2147483647}, {7, -3, 0, -9007199254740991.0}, {1, 0, 1, 1}, {0, 17, 255, 128}, {-128, 0, 127, -1}};
        String[] dtypes = {"f32", "f64", "f16", "i32", "i64", "bool", "u8", "i8"};
        for (int i = 0; i < dtypes.length; i++) {
            DType d = DType.fromText(dtypes[i]);
            Tensor t = new Tensor(d, new int[]{2, 2}, values[i]);
            Tensor back = OnnxTensors.fromProto(OnnxTensors.toProto("t", t));
            assertEquals(d, back.dtype(), dtypes[i]);
            assertArrayEquals(new int[]{2, 2}, back.shape());
            for (int k = 0; k < 4; k++) {
                double want = d == DType.F32 ? (float) values[i][k] : values[i][k];
                assertEquals(want, back.data()[k], 0.0, dtypes[i] + " element " + k);
            }
        }
    }

    @Test void halfPrecisionRoundsToNearestEven() {
        Random r = new Random(1);
        for (int i = 0; i < 10_000; i++) {
            float f = (float) (r.nextGaussian() * Math.pow(2, r.nextInt(40) - 24));
            float h = OnnxTensors.halfToFloat(OnnxTensors.floatToHalf(f));
            assertEquals(dlc.numerics.Half.round(f), h, 0.0, "binary16 rounding of " + f);
        }
        assertEquals(Float.POSITIVE_INFINITY, OnnxTensors.halfToFloat(OnnxTensors.floatToHalf(1e6f)));
        assertTrue(Float.isNaN(OnnxTensors.halfToFloat(OnnxTensors.floatToHalf(Float.NaN))));
    }

    @Test void typedFieldsAreReadToo() {
        TensorProto floats = TensorProto.newBuilder().setDataType(1).addDims(3).addFloatData(1f).addFloatData(-2f).addFloatData(0.5f).build();
        assertArrayEquals(new double[]{1, -2, 0.5}, OnnxTensors.fromProto(floats).data());
        TensorProto longs = TensorProto.newBuilder().setDataType(7).addDims(2).addInt64Data(-5).addInt64Data(1L << 40).build();
        assertArrayEquals(new double[]{-5, 1L << 40}, OnnxTensors.fromProto(longs).data());
    }

    @Test void badDataIsAnError() {
        TensorProto shortRaw = TensorProto.newBuilder().setName("w").setDataType(1).addDims(4)
                .setRawData(com.google.protobuf.ByteString.copyFrom(new byte[12])).build();
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxTensors.fromProto(shortRaw));
        assertEquals("tensor 'w' holds 12 bytes of raw data, but [4] of f32 needs 16", e.getMessage());
        TensorProto strings = TensorProto.newBuilder().setName("s").setDataType(8).build();
        assertTrue(assertThrows(OnnxException.class, () -> OnnxTensors.fromProto(strings)).getMessage().contains("STRING"));
        TensorProto external = TensorProto.newBuilder().setName("big").setDataType(1).setDataLocation(TensorProto.DataLocation.EXTERNAL).build();
        assertTrue(assertThrows(OnnxException.class, () -> OnnxTensors.fromProto(external)).getMessage().contains("external file"));
    }
}
