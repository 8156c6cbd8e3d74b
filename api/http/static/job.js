// A job's page follows it by itself: its server-sent events move the bar, say when the phone waits for the
// signer, and the page is drawn again (with the result, book by book) once the job ends.
"use strict";
(function () {
  const root = document.getElementById("job");
  if (!root || !window.EventSource) return;
  const bar = document.getElementById("bar");
  const count = document.getElementById("count");
  const state = document.getElementById("state");
  const phone = document.getElementById("phone");
  const events = new EventSource(root.dataset.events);
  function show(job) {
    bar.max = job.total || 1;
    bar.value = job.total ? job.done : 0;
    bar.textContent = job.done + "/" + (job.total === null ? "?" : job.total);
    count.textContent = bar.textContent;
    state.textContent = job.status === "queued" ? root.dataset.tQueued : root.dataset.tRunning;
    phone.hidden = job.waiting !== "confirm";
  }
  events.addEventListener("progress", (e) => show(JSON.parse(e.data)));
  events.addEventListener("end", (e) => {
    events.close();
    const job = JSON.parse(e.data);
    show(job);
    state.textContent = root.dataset.tFinished;
    window.location.reload();
  });
})();
