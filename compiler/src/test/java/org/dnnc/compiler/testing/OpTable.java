package org.dnnc.compiler.testing;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.dnnc.compiler.ir.Op;

/**
 * A table with a row per op class and a column per thing that ops must have: a gradient rule, a
 * rule in the reference interpreter, code for a target. Dispatch over ops is by class, so Java 17
 * cannot check it for exhaustiveness; this table finds the holes instead, reading each op's own
 * properties (through sample ops of every class) to know which ops need an entry.
 */
public final class OpTable {
    private OpTable() {}

    /**
     * One column.
     *
     * @param name   what an entry is, e.g. "gradient rule"
     * @param needs  whether an op needs an entry, from the properties it states
     * @param has    whether the code that owns the column has an entry for a class
     * @param notYet the classes that need one but lack it on purpose, listed once by that code
     */
    public record Column(String name, Predicate<Op> needs, Predicate<Class<? extends Op>> has,
            Set<Class<? extends Op>> notYet) {}

    /**
     * The holes of the table, one line each, naming the column and the op class; empty when there
     * are none. A class needs an entry when any of its samples does.
     */
    public static List<String> holes(Collection<Class<? extends Op>> classes, Collection<Op> samples,
            List<Column> columns) {
        List<String> holes = new ArrayList<>();
        List<Class<? extends Op>> rows = classes.stream().sorted(Comparator.comparing(Class::getSimpleName)).toList();
        for (Column column : columns) {
            for (Class<? extends Op> row : rows) {
                List<Op> ofRow = samples.stream().filter(op -> op.getClass() == row).toList();
                String op = row.getSimpleName();
                if (ofRow.isEmpty()) {
                    holes.add(column.name() + ": no sample " + op + " to ask whether it needs one");
                    continue;
                }
                boolean needs = ofRow.stream().anyMatch(column.needs());
                boolean has = column.has().test(row);
                boolean notYet = column.notYet().contains(row);
                if (needs && !has && !notYet) {
                    holes.add(column.name() + " missing for " + op + ": add one, or list " + op + " as not done yet");
                } else if (has && notYet) {
                    holes.add(column.name() + " present for " + op + ", which is still listed as not done yet");
                } else if (has && !needs) {
                    holes.add(column.name() + " present for " + op + ", which does not need one");
                } else if (notYet && !needs) {
                    holes.add(column.name() + " listed as not done yet for " + op + ", which does not need one");
                }
            }
        }
        return holes;
    }

    /** Every kind of op: the classes that {@link Op} permits. */
    public static List<Class<? extends Op>> allOps() {
        return Arrays.stream(Op.class.getPermittedSubclasses()).<Class<? extends Op>>map(c -> c.asSubclass(Op.class))
                .toList();
    }

    /** The holes as one message, a line each. */
    public static String describe(List<String> holes) {
        return holes.stream().collect(Collectors.joining("\n", "the op table has holes:\n", ""));
    }
}
