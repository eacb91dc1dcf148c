package io.lem.cli.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressBoardTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GPU_A = "gpu:GPU-1a2b3c4d-0000-1111-2222-333344445555";
    private static final String GPU_B = "gpu:GPU-9f8e7d6c-0000-1111-2222-333344445555";

    private final StringWriter printed = new StringWriter();
    private final ProgressBoard board = new ProgressBoard(new PrintWriter(printed), 2, Long.MAX_VALUE);

    private static JsonNode line(String json) throws Exception {
        return JSON.readTree(json.replace('\'', '"'));
    }

    @Test
    void showsBatchesTokensAndTheLatestWattsPerDeviceWithEachKeyCountedOnce() throws Exception {
        board.update(line("{'process':0,'phase':'started','batches':4,'powerWatts':{}}"));
        board.update(line("{'process':1,'phase':'started','batches':4,'powerWatts':{}}"));
        assertThat(board.line(System.nanoTime())).contains("2/2 processes started, batches 0/8")
                .doesNotContain(" W");

        board.update(line("{'process':0,'phase':'run','batch':1,'batches':4,'outputTokens':32,"
                + "'powerWatts':{'" + GPU_A + "':250.4,'cpu:h:package-0':8.0}}"));
        board.update(line("{'process':1,'phase':'run','batch':2,'batches':4,'outputTokens':64,"
                + "'powerWatts':{'" + GPU_B + "':180.0}}"));
        // a later line of process 0 replaces its readings; the host-level key it shares is not added twice
        board.update(line("{'process':0,'phase':'run','batch':2,'batches':4,'outputTokens':64,"
                + "'powerWatts':{'" + GPU_A + "':300.0,'cpu:h:package-0':9.5}}"));

        String line = board.line(System.nanoTime());
        assertThat(line).contains("batches 4/8", "128 output tokens")
                .endsWith(", 490 W: cpu:h:package-0 9.5 W, gpu:GPU-1a2b3c4d 300 W, gpu:GPU-9f8e7d6c 180 W");
    }

    @Test
    void warmUpLinesDoNotMoveTheBatchesAndNonNumbersAreIgnored() throws Exception {
        board.update(line("{'process':0,'phase':'warmup','batch':1,'batches':1,'outputTokens':10,"
                + "'powerWatts':{'ram-model:h':'n/a'}}"));
        assertThat(board.line(System.nanoTime())).contains("0/2 processes started", "0 output tokens")
                .doesNotContain("ram-model");
    }

    @Test
    void shortensOnlyGpuUuids() {
        assertThat(ProgressBoard.shortKey(GPU_A)).isEqualTo("gpu:GPU-1a2b3c4d");
        assertThat(ProgressBoard.shortKey("cpu:node-1:package-0")).isEqualTo("cpu:node-1:package-0");
        assertThat(ProgressBoard.shortKey("gpu:GPU-12")).isEqualTo("gpu:GPU-12");
    }
}
