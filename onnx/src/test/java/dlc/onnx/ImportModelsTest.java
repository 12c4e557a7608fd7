package dlc.onnx;

import dlc.ir.DType;
import dlc.ir.Graph;
import dlc.ir.Module;
import dlc.ir.Value;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.util.*;

import static org.junit.jupiter.api.Assertions.*;

/**
 * ONNX models written in the tests, as other tools' exporters lay them out (PyTorch-style run-time
 * shape arithmetic included), imported to .dl and run by the float64 interpreter, against ONNX
 * Runtime's float32 outputs on the same inputs.
 */
class ImportModelsTest {
    /** Imports {@code onnx}, runs both sides on random inputs with the given symbol sizes; returns the .dl source. */
    static String agree(byte[] onnx, Map<String, Long> dims) throws Exception {
        OnnxImporter.Result r = OnnxImporter.convert(OnnxImporter.parse(onnx, "test model"), "Imported");
        Module m = Models.lowerSource("imported.dl", r.source());
        Graph g = m.graph("eval").orElseThrow();
        Map<String, Tensor> in = Models.inputs(g, dims, 7);
        Map<String, Tensor> want = Ort.run(onnx, in);
        Map<String, Tensor> got = Models.reference(g, r.weights(), in);
        Agreement.assertClose(want, got, "imported model\n" + r.source());
        for (Value p : g.inputs(Value.Role.PARAM)) assertTrue(r.weights().containsKey(p.name()), "weights for " + p.name());
        return r.source();
    }

    @Test void mlpWithGemmAndRelu() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder(1).input("x", DType.F32, "batch", 8).output("probs");
        String h = b.node("Relu", List.of(b.node("Gemm", List.of("x", b.weight("fc1.weight", 16, 8), b.weight("fc1.bias", 16)), Attr.i("transB", 1))));
        String logits = b.node("Gemm", List.of(h, b.weight("fc2.weight", 3, 16), b.weight("fc2.bias", 3)), Attr.i("transB", 1), Attr.f("alpha", 0.5));
        b.node("Softmax", "probs", List.of(logits), Attr.i("axis", -1));
        String src = agree(b.build(17), Map.of("batch", 5L));
        assertTrue(src.contains("input x: f32[batch, 8]"), src);
        assertTrue(src.contains("relu(x @ fc1_weight.T + fc1_bias)"), "Gemm+Relu is one statement:\n" + src);
        assertTrue(src.contains("param fc1_weight: f32[16, 8]"), src);
    }

    @Test void cnnWithPoolingAndBatchNorm() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder(2).input("image", DType.F32, "N", 3, 12, 12).output("logp");
        String c = b.node("Conv", List.of("image", b.weight("conv1.w", 0.3, false, 4, 3, 3, 3), b.weight("conv1.b", 4)),
                Attr.ints("pads", 1, 1, 1, 1), Attr.ints("kernel_shape", 3, 3));
        String bn = b.node("BatchNormalization", List.of(c, b.weight("bn.scale", 1, true, 4), b.weight("bn.bias", 4),
                b.weight("bn.mean", 4), b.weight("bn.var", 1, true, 4)), Attr.f("epsilon", 1e-3));
        String p = b.node("MaxPool", List.of(b.node("Relu", List.of(bn))), Attr.ints("kernel_shape", 2, 2), Attr.ints("strides", 2, 2));
        String c2 = b.node("Conv", List.of(p, b.weight("conv2.w", 0.3, false, 6, 4, 3, 3)), Attr.ints("strides", 2, 2), Attr.s("auto_pad", "SAME_UPPER"));
        String avg = b.node("AveragePool", List.of(c2), Attr.ints("kernel_shape", 2, 2), Attr.ints("pads", 1, 1, 0, 0));
        String gap = b.node("GlobalAveragePool", List.of(avg));
        String flat = b.node("Flatten", List.of(gap), Attr.i("axis", 1));
        String fc = b.node("Gemm", List.of(flat, b.weight("fc.w", 6, 5), b.weight("fc.b", 5)));
        b.node("LogSoftmax", "logp", List.of(fc), Attr.i("axis", 1));
        String src = agree(b.build(17), Map.of("N", 3L));
        assertTrue(src.contains("batch_norm_inference("), src);
        assertTrue(src.contains("max_pool2d(") && src.contains("avg_pool2d(") && src.contains("count_include_pad=false"), src);
    }

    /** Self-attention as PyTorch exports it: head shapes computed from Shape/Gather/Concat at run time. */
    @Test void attentionBlockWithRunTimeShapes() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder(3).input("x", DType.F32, "batch", "seq", 8).output("y");
        String shape = b.node("Shape", List.of("x"));
        String batch = b.node("Gather", List.of(shape, b.node("Constant", List.of(), Attr.tensor("value",
                OnnxTensors.toProto("i0", Tensor.scalar(DType.I64, 0))))), Attr.i("axis", 0));
        String seq = b.node("Gather", List.of(shape, b.ints("one", 1)), Attr.i("axis", 0));
        String heads = b.node("Concat", List.of(b.node("Unsqueeze", List.of(batch, b.ints("ax0", 0))), seq, b.ints("h_d", 2, 4)), Attr.i("axis", 0));
        String[] qkv = new String[3];
        for (int i = 0; i < 3; i++) {
            String proj = b.node("Add", List.of(b.node("MatMul", List.of("x", b.weight("w" + "qkv".charAt(i), 8, 8))), b.weight("b" + "qkv".charAt(i), 8)));
            qkv[i] = b.node("Transpose", List.of(b.node("Reshape", List.of(proj, heads))), Attr.ints("perm", 0, 2, 1, 3));
        }
        String kt = b.node("Transpose", List.of(qkv[1]), Attr.ints("perm", 0, 1, 3, 2));
        String scores = b.node("Div", List.of(b.node("MatMul", List.of(qkv[0], kt)), b.scalar(2.0f)));
        String attn = b.node("Softmax", List.of(scores), Attr.i("axis", -1));
        String ctx = b.node("Transpose", List.of(b.node("MatMul", List.of(attn, qkv[2]))), Attr.ints("perm", 0, 2, 1, 3));
        String back = b.node("Concat", List.of(b.node("Slice", List.of(shape, b.ints("s0", 0), b.ints("e2", 2))), b.ints("eight", 8)), Attr.i("axis", 0));
        String merged = b.node("Reshape", List.of(ctx, back));
        String res = b.node("Add", List.of("x", b.node("Dropout", List.of(merged))));
        b.node("LayerNormalization", "y", List.of(res, b.weight("ln.g", 1, true, 8), b.weight("ln.b", 8)), Attr.i("axis", -1), Attr.f("epsilon", 1e-5));
        String src = agree(b.build(17), Map.of("batch", 2L, "seq", 5L));
        assertTrue(src.contains("reshape(") && src.contains("[batch, seq, 2, 4]"), "the run-time shapes are folded to dims:\n" + src);
        assertTrue(src.contains("layer_norm_inference("), src);
    }

    /** A reverse-direction RNN as an ONNX Scan whose body reads the weights from the enclosing graph. */
    @Test void recurrentScanWithCapturedWeights() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder(5).input("x", DType.F32, "N", "T", 3).input("h0", DType.F32, "N", 4).output("h_last").output("hs");
        String w = b.weight("W", 3, 4), u = b.weight("U", 4, 4);
        OnnxModelBuilder body = new OnnxModelBuilder(6).input("h", DType.F32, "N", 4).input("x_t", DType.F32, "N", 3).output("h_next").output("y");
        String pre = body.node("Add", List.of(body.node("MatMul", List.of("x_t", w)), body.node("MatMul", List.of("h", u))));
        body.node("Tanh", "h_next", List.of(pre));
        body.node("Identity", "y", List.of("h_next"));
        b.nodeOuts("Scan", List.of("h0", "x"), List.of("h_last", "hs"), Attr.graph("body", body.graph()),
                Attr.i("num_scan_inputs", 1), Attr.ints("scan_input_axes", 1), Attr.ints("scan_output_axes", 1),
                Attr.ints("scan_input_directions", 1), Attr.ints("scan_output_directions", 1));
        String src = agree(b.build(17), Map.of("N", 2L, "T", 6L));
        assertTrue(src.contains("= scan(fn(h, x_t) {") && src.contains("reverse=true"), src);
    }

    @Test void splitWithAGraphOutputAmongItsResults() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder(7).input("x", DType.F32, "N", 6).output("left").output("scaled");
        b.nodeOuts("Split", List.of("x", b.ints("sizes", 2, 4)), List.of("left", "right"), Attr.i("axis", 1));
        b.node("Mul", "scaled", List.of(b.node("Clip", List.of("right", b.scalar(-0.5f), b.scalar(0.5f))), b.scalar(3f)));
        String src = agree(b.build(17), Map.of("N", 3L));
        assertTrue(src.contains("= split(x, [2, 4], axis=1)") && src.contains("output left = "), src);
    }

    @Test void unsupportedOpsAreListedWithCountsAndNothingIsConverted() {
        OnnxModelBuilder b = new OnnxModelBuilder(4).input("x", DType.F32, "N", 4).output("y");
        String a = b.node("LRN", List.of("x"));
        String c = b.node("LRN", List.of(a));
        b.node("Hardmax", "y", List.of(b.node("Relu", List.of(c))));
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxImporter.convert(OnnxImporter.parse(b.build(17), "m.onnx"), "M"));
        assertEquals("the model uses 3 nodes of ops dlc import does not support: Hardmax (1), LRN (2)", e.getMessage());
    }

    @Test void aMalformedNodeIsAnErrorNamingIt() {
        OnnxModelBuilder b = new OnnxModelBuilder(8).input("x", DType.F32, "N", 4).output("y");
        b.node("Reshape", "y", List.of("x", b.ints("shape", 0, 0, 4))); // copies a dim x does not have
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxImporter.convert(OnnxImporter.parse(b.build(17), "m.onnx"), "M"));
        assertTrue(e.getMessage().startsWith("Reshape node"), e.getMessage());
        OnnxModelBuilder c = new OnnxModelBuilder(9).input("x", DType.F32, "N", 4).output("y");
        c.node("MatMul", "y", List.of("x")); // one operand
        assertTrue(assertThrows(OnnxException.class, () -> OnnxImporter.convert(OnnxImporter.parse(c.build(17), "m.onnx"), "M"))
                .getMessage().startsWith("MatMul node"));
    }

    @Test void corruptBytesAreNotAModel() {
        byte[] junk = "this is not a protobuf \u0001\u0002\u0003".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        OnnxException e = assertThrows(OnnxException.class, () -> OnnxImporter.parse(junk, "junk.onnx"));
        assertTrue(e.getMessage().startsWith("junk.onnx is not an ONNX model"), e.getMessage());
        assertThrows(OnnxException.class, () -> OnnxImporter.parse(new byte[0], "empty.onnx"));
    }
}
