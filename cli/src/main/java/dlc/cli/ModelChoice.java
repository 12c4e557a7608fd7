package dlc.cli;

import picocli.CommandLine.Option;

import java.util.LinkedHashMap;
import java.util.Map;

/** The options that pick and configure a model, shared by every command as a picocli mixin. */
final class ModelChoice {
    @Option(names = "--model", paramLabel = "M", description = "The model (default: the file's first model).")
    String model;

    @Option(names = {"-P", "--param"}, paramLabel = "NAME=EXPR",
            description = "Override a model parameter's default, e.g. -P hidden=64 (repeatable).")
    Map<String, String> params = new LinkedHashMap<>();
}
