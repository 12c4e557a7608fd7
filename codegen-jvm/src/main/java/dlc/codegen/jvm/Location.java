package dlc.codegen.jvm;

/**
 * Where a materialized value lives: graph input {@code index} (the caller's array), or float slot /
 * double slot {@code index} of the generated class ({@code fs[index]} / {@code ds[index]}).
 */
record Location(Kind kind, int index, boolean isFloat) {
    enum Kind { INPUT, SLOT }

    String arrayDesc() { return isFloat ? "[F" : "[D"; }
}
