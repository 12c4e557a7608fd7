package dlc.ir.testing;

import dlc.ir.DType;
import dlc.ir.eval.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;

/** The f64 agreement check's floor for outputs that cancel to zero (a fresh-seed finding, InPlaceGradientJvmProperties). */
class F64AgreementTest {
    private static Map<String, Tensor> outputs(double f, double g) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("f", Tensor.scalar(DType.F64, f));
        m.put("g2", Tensor.scalar(DType.F64, g));
        return m;
    }

    @Test
    void residueOfACancelledGradientPassesBesideOutputsOfOrderOne() {
        // seed -2210549642835464807: a second-order gradient of 1.8e-15 in the interpreter, exactly 0 on the JVM
        F64Agreement.check(outputs(1.5, 1.7763568394002505E-15), outputs(1.5, 0.0), "jvm", () -> "");
    }

    @Test
    void realDifferencesStillFail() {
        assertThrows(AssertionError.class, () -> F64Agreement.check(outputs(1.5, 1e-6), outputs(1.5, 0.0), "jvm", () -> ""));
        assertThrows(AssertionError.class, () -> F64Agreement.check(outputs(1.5, 0.25), outputs(1.5 + 1e-6, 0.25), "jvm", () -> ""));
        assertThrows(AssertionError.class, () -> F64Agreement.check(outputs(Double.NaN, 0.25), outputs(1.0, 0.25), "jvm", () -> ""));
        // alone, the residue is its own scale: no other output to say it is noise
        Map<String, Tensor> ref = Map.of("g2", Tensor.scalar(DType.F64, 1.7763568394002505E-15)), got = Map.of("g2", Tensor.scalar(DType.F64, 0.0));
        assertThrows(AssertionError.class, () -> F64Agreement.check(ref, got, "jvm", () -> ""));
    }
}
