package org.dnnc.compiler.cli;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import org.dnnc.compiler.diag.SourceFile;

/** Reads source files, turning I/O failures into one-line messages. */
final class Sources {
    private Sources() {}

    /** The file's text, or empty after reporting why it cannot be read. */
    static Optional<SourceFile> read(Console console, Path path) {
        try {
            if (Files.isDirectory(path)) {
                console.error("cannot read " + path + ": it is a directory");
                return Optional.empty();
            }
            return Optional.of(SourceFile.read(path));
        } catch (NoSuchFileException e) {
            console.error("cannot read " + path + ": no such file");
        } catch (MalformedInputException e) {
            console.error("cannot read " + path + ": not UTF-8 text");
        } catch (IOException e) {
            console.error("cannot read " + path + ": " + e.getMessage());
        }
        return Optional.empty();
    }
}
