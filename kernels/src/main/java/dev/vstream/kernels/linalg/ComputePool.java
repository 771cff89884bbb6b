package dev.vstream.kernels.linalg;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of {@code threads} compute threads that run one {@link Task} at a time, every
 * member getting its index: the caller's thread is member 0, so a pool of 1 starts no thread
 * at all and runs the task inline.
 *
 * <p>Why not an {@code ExecutorService}: a decode step makes hundreds of GEMV calls of
 * 20-500 microseconds each, and a fork/join round trip (task objects, futures, queue
 * hand-offs) costs a measurable part of that and allocates. Here a job is one volatile write
 * of the task, one generation bump and one unpark per worker; workers spin briefly before
 * parking so back-to-back calls find them awake. Nothing is allocated per job.
 *
 * <p>Jobs are serialised: {@link #run} holds the pool's monitor, so two model threads sharing
 * a pool take turns (a pool is meant to be owned by one inference loop).
 */
public final class ComputePool implements AutoCloseable {

    /** One job, run once by every member of the team. */
    @FunctionalInterface
    public interface Task {
        /**
         * @param member  this thread's index in {@code [0, members)}
         * @param members the team size, {@link #threads()}
         */
        void run(int member, int members);
    }

    /**
     * How long a waiting thread busy-waits before it parks. Long enough to cover the gap
     * between two GEMV calls of one decode step, short enough not to burn a shared core.
     */
    private static final long SPIN_NANOS = 50_000;

    private final int threads;
    private final Thread[] workers;
    private final AtomicInteger generation = new AtomicInteger();
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Task task;
    private volatile Thread caller;
    private volatile Throwable failure;
    private volatile boolean closed;

    /** Starts {@code threads - 1} daemon worker threads named {@code vstream-compute-i}. */
    public ComputePool(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("a compute pool needs at least 1 thread, got " + threads);
        }
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            int member = i + 1;
            workers[i] = Thread.ofPlatform().name("vstream-compute-" + member).daemon()
                    .unstarted(() -> workLoop(member));
            workers[i].start();
        }
    }

    /** The team size: the number of members a task is split over. */
    public int threads() {
        return threads;
    }

    /**
     * Runs {@code job} on every member and returns when all have finished. An exception thrown
     * by any member is rethrown here (the first one; members still run to completion).
     */
    public synchronized void run(Task job) {
        if (closed) {
            throw new IllegalStateException("compute pool is closed");
        }
        if (threads == 1) {
            job.run(0, 1);
            return;
        }
        failure = null;
        caller = Thread.currentThread();
        task = job;
        pending.set(workers.length);
        generation.incrementAndGet();
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
        try {
            job.run(0, threads);
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (pending.get() != 0) {
            pause(spinUntil);
        }
        task = null;
        Throwable thrown = failure;
        if (thrown instanceof RuntimeException e) {
            throw e;
        } else if (thrown instanceof Error e) {
            throw e;
        }
    }

    private void workLoop(int member) {
        int seen = 0;
        while (true) {
            int current;
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while ((current = generation.get()) == seen) {
                pause(spinUntil);
            }
            seen = current;
            if (closed) {
                return;
            }
            try {
                task.run(member, threads);
            } catch (RuntimeException | Error e) {
                failure = e;
            }
            if (pending.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }

    /** Spins until the deadline, then parks (a spurious or early wake-up just loops again). */
    private void pause(long spinUntil) {
        if (System.nanoTime() < spinUntil) {
            Thread.onSpinWait();
        } else {
            LockSupport.park(this);
        }
    }

    /** Stops the workers; waits for them to exit. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        generation.incrementAndGet();
        for (Thread worker : workers) {
            LockSupport.unpark(worker);
        }
        for (Thread worker : workers) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "ComputePool[" + threads + " threads]";
    }
}
