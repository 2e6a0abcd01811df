extension BlockingExecutor: TaskExecutor {
    /// Runs a task's job on one of the executor's threads.
    ///
    /// This makes the executor usable as a task executor preference: a server can run a
    /// connection's whole handler with `withTaskExecutorPreference(executor) { … }`, and the
    /// blocking calls inside it (a store's SQLite look-up per SMTP command) then run inline
    /// on the thread the handler already holds, instead of paying two thread hand-offs each.
    /// The handler's waits (reading a socket) suspend and give the thread back, as on any
    /// executor. The executor's thread count still bounds how many run at once.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        submit { job.runSynchronously(on: executor) }
    }
}
