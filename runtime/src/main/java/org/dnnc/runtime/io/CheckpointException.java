package org.dnnc.runtime.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A checkpoint file that cannot be trusted or does not fit what the caller expects: corrupt,
 * truncated, with missing, unexpected or differently shaped tensors, or with invalid metadata.
 * Also a checkpoint refused before it is written, because its tensors hold NaN or infinite
 * values. The message starts with the file's path and says what is wrong.
 */
public class CheckpointException extends IOException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(Path file, String problem) {
        super(file + ": " + problem);
    }
}
