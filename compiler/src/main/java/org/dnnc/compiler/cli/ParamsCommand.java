package org.dnnc.compiler.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.dnnc.compiler.sema.NetworkModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code dnnc params FILE}: every parameter with its shape, element count, initializer and what
 * training does to it (trained, frozen by {@code freeze}, or a buffer), and the totals.
 */
@Command(name = "params", mixinStandardHelpOptions = true,
        description = "List the parameters of the networks in FILE with shapes and counts.")
final class ParamsCommand implements Callable<Integer> {
    @ParentCommand
    private DnncCommand parent;

    @Parameters(paramLabel = "FILE", description = "The .dnn file.")
    private Path file;

    @Option(names = "--network", paramLabel = "NAME", description = "Only this network of the file.")
    private String network;

    @Override
    public Integer call() {
        Console console = parent.console();
        Optional<NetworkChoice.Loaded> loaded = NetworkChoice.load(console, file, network);
        if (loaded.isEmpty()) {
            return Main.INPUT_ERRORS;
        }
        boolean first = true;
        for (NetworkModel model : loaded.get().networks()) {
            if (!first) {
                console.out().println();
            }
            first = false;
            print(console.out(), model);
        }
        console.out().flush();
        return Main.OK;
    }

    private static void print(PrintWriter out, NetworkModel model) {
        ParamTable table = ParamTable.of(model);
        out.println("network " + model.qualifiedName());
        int nameWidth = "parameter".length();
        int shapeWidth = "shape".length();
        int countWidth = "count".length();
        int initWidth = "init".length();
        for (ParamTable.Row row : table.rows()) {
            nameWidth = Math.max(nameWidth, row.name().length());
            shapeWidth = Math.max(shapeWidth, row.shape().length());
            countWidth = Math.max(countWidth, ParamTable.count(row.elements()).length());
            initWidth = Math.max(initWidth, row.init().length());
        }
        String format = "  %-" + nameWidth + "s  %-" + shapeWidth + "s  %" + countWidth + "s  %-" + initWidth
                + "s  %s%n";
        out.printf(format, "parameter", "shape", "count", "init", "training");
        for (ParamTable.Row row : table.rows()) {
            out.printf(format, row.name(), row.shape(), ParamTable.count(row.elements()), row.init(), row.training());
        }
        out.println("  total trainable: " + ParamTable.count(table.trainable())
                + " (" + ParamTable.count(4 * table.trainable()) + " bytes as float32)");
        if (table.frozen() > 0) {
            out.println("  frozen: " + ParamTable.count(table.frozen()) + " (kept fixed by `freeze`)");
        }
        if (table.buffers() > 0) {
            out.println("  buffers: " + ParamTable.count(table.buffers()));
        }
    }
}
