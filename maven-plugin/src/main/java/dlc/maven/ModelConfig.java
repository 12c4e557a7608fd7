package dlc.maven;

import java.io.File;

/**
 * One {@code <model>} of the plugin's {@code <models>}: how to compile one .dl file (or one model of
 * it). Files without an entry are compiled with the defaults: the file's first model, the plugin's
 * package, the model's own name as class name, weights initialized from the seed.
 */
public class ModelConfig {
    /** The .dl file, relative to the source directory (e.g. {@code mlp.dl} or {@code nets/cnn.dl}). */
    String file;
    /** The model to compile (default: the file's first model). */
    String model;
    /** The typed class's simple name (default: the model's name). */
    String className;
    /** The typed class's package (default: the plugin's {@code packageName}). */
    String packageName;
    /** A checkpoint from {@code dlc train} (default: weights initialized from the seed). */
    File weights;

    /** For messages and the incremental stamp. */
    @Override public String toString() {
        return "file=" + file + " model=" + model + " className=" + className + " packageName=" + packageName + " weights=" + weights;
    }
}
