package dlc.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** An image classification set from an IDX image file and an IDX label file (the MNIST layout). */
public final class IdxDataset {
    private IdxDataset() {}

    /**
     * Loads images {@code [N, H, W]} (any IDX type) as f32 features of shape {@code [N, 1, H, W]} (NCHW,
     * raw values, e.g. 0..255; normalize with {@link Normalizer}) and labels {@code [N]} as i32 classes.
     * Images of another rank keep their shape. Checks that the counts agree and every label is in
     * {@code [0, numClasses)}.
     */
    public static Dataset load(String name, Path images, Path labels, int numClasses, List<String> classNames) throws IOException {
        Idx.Array img = Idx.read(images), lab = Idx.read(labels);
        if (lab.dims().length != 1)
            throw new DataException(labels + ": labels must have one dimension, got dimensions " + Arrays.toString(lab.dims()));
        if (lab.type() == Idx.Type.FLOAT || lab.type() == Idx.Type.DOUBLE)
            throw new DataException(labels + ": labels must be integers, got " + lab.type() + " elements");
        if (img.dims()[0] != lab.dims()[0])
            throw new DataException(images + " holds " + img.dims()[0] + " images but " + labels + " holds " + lab.dims()[0] + " labels");
        int[] y = lab.ints();
        for (int i = 0; i < y.length; i++)
            if (y[i] < 0 || y[i] >= numClasses)
                throw new DataException(labels + ": label " + y[i] + " of sample " + i + " is outside [0, " + numClasses + ")");
        int[] d = img.dims();
        int[] sample = d.length == 3 ? new int[]{1, d[1], d[2]} : Arrays.copyOfRange(d, 1, d.length);
        for (int s : sample) if (s == 0) throw new DataException(images + ": images have an empty dimension: " + Arrays.toString(d));
        Column x = Column.floats(Dataset.FEATURES, img.floats(), sample);
        return Dataset.of(name, x, Column.ints(Dataset.LABELS, y)).withClasses(numClasses, classNames);
    }
}
