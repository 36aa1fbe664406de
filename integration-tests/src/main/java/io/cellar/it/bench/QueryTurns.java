// SPDX-License-Identifier: Apache-2.0
// QueryTurns -- the modes' JVMs of a round side by side, taking turns query by query
package io.cellar.it.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One round of every mode with the modes taking turns query by query ({@code --turns query}):
 * each mode's JVM is set up, one after the other, and then waits; each query then runs in every
 * mode before the next query runs in any, in the cold pass and in every warm pass, with the order
 * of the modes reversed from one query to the next. Only one JVM runs at a time, so a query's
 * runs in all modes lie minutes apart at most instead of a whole pass of the set: a drift in the
 * machine's speed (another tenant of the host) touches each query's modes alike.
 *
 * <p>Each JVM runs exactly the steps a mode's JVM runs by itself, in the same order, with waits
 * between them ({@link ModeRun#serve}).
 */
final class QueryTurns {
  private QueryTurns() {}

  /** Runs a round of the jobs' modes and adds what they measured to the report. */
  static void round(Report report, List<ModeJob> jobs, String heap, List<String> queries,
      int warm) throws IOException, InterruptedException {
    List<Stepper> live = new ArrayList<>();
    List<Stepper> all = new ArrayList<>();
    try {
      for (ModeJob job : jobs) {
        System.out.printf("[bench] %s: setting up, to take turns query by query%n",
            job.describe());
        Stepper s = new Stepper(job, TpcdsBench.childProcess(heap, job.conf(), job.args(false)));
        all.add(s);
        if (s.awaitStep()) {
          live.add(s);
        }
      }
      int turn = 0;
      for (int pass = 0; pass <= warm; pass++) {
        for (String q : queries) {
          List<Stepper> order = new ArrayList<>(live);
          if (turn++ % 2 == 1) {
            Collections.reverse(order);
          }
          for (Stepper s : order) {
            if (!s.step(pass == 0 ? "cold " + q : "warm " + pass + " " + q)) {
              live.remove(s);
            }
          }
        }
      }
      for (Stepper s : live) {
        s.step("finish " + s.job.result());
      }
    } finally {
      for (Stepper s : all) {
        int rc = s.end();
        System.out.printf("[bench] mode %s finished (exit %d)%n", s.job.label(), rc);
        s.job.collect(report, rc);
      }
      for (ModeJob job : jobs) {
        job.clean();
      }
    }
  }

  /** A mode's JVM that runs the steps it is sent, one at a time. */
  private static final class Stepper {
    /** What the pump puts in the queue when the JVM's output ends. */
    private static final String ENDED = "";
    private final ModeJob job;
    private final Process process;
    private final Writer steps;
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();
    private final Thread pump;

    Stepper(ModeJob job, ProcessBuilder pb) throws IOException {
      this.job = job;
      this.process = pb.redirectError(ProcessBuilder.Redirect.INHERIT).start();
      this.steps = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
      // the JVM's output goes on to this one's, but for the replies to the steps
      this.pump = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
            process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = r.readLine()) != null) {
            if (line.startsWith(ModeRun.STEP_DONE) || line.startsWith(ModeRun.STEP_FAILED)) {
              replies.add(line);
            } else {
              System.out.println(line);
            }
          }
        } catch (IOException e) {
          System.out.println("[bench] lost the output of mode " + job.label() + ": " + e);
        } finally {
          replies.add(ENDED);
        }
      }, "cellar-bench-pump-" + job.label());
      pump.setDaemon(true);
      pump.start();
    }

    /** Sends a step and waits until it is done; false when it failed or the JVM ended. */
    boolean step(String step) throws InterruptedException {
      try {
        steps.write(step + "\n");
        steps.flush();
      } catch (IOException e) {
        System.out.println("[bench] mode " + job.label() + " takes no more steps: " + e);
        return false;
      }
      return awaitStep();
    }

    /** Waits for the reply to the step sent last (or to the set-up). */
    boolean awaitStep() throws InterruptedException {
      String reply = replies.take();
      if (reply.startsWith(ModeRun.STEP_DONE)) {
        return true;
      }
      System.out.println("[bench] mode " + job.label() + (reply.equals(ENDED)
          ? ": its JVM ended before the step was done" : ": " + reply));
      return false;
    }

    /** Ends the JVM (its input closed, it stops) and returns its exit code. */
    int end() throws InterruptedException {
      try {
        steps.close();
      } catch (IOException e) {
        // the JVM has ended already
      }
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        System.out.println("[bench] mode " + job.label() + " did not stop; ending it");
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
      int rc = process.waitFor();
      pump.join();
      return rc;
    }
  }
}
