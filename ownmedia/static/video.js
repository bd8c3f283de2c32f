/* ownmedia click-to-load video (README: "Video, privately"). The player waits in a <template>:
   nothing is requested from the video host until the reader clicks. The click itself is counted
   by the tracker (the link's plausible-event-* classes); local files also report how far they
   were watched, once per quartile and page view. */
((d, w) => {
  const send = (name, props) => w.plausible && w.plausible(name, {props, interactive: false});
  const progress = (video, figure) => {
    const sent = {};
    const props = {video: figure.dataset.video, post: d.body.dataset.ownmediaPost || "",
                   provider: "file"};
    const mark = q => { if (!sent[q]) { sent[q] = 1; send("Video Progress", {...props, progress: "" + q}); } };
    video.addEventListener("timeupdate", () => {
      const pct = video.duration > 0 && isFinite(video.duration)
        ? 100 * video.currentTime / video.duration : 0;
      [25, 50, 75].forEach(q => pct >= q && mark(q));
    });
    video.addEventListener("ended", () => { [25, 50, 75, 100].forEach(mark); });
  };
  d.addEventListener("click", e => {
    const link = e.target.closest && e.target.closest("a[data-video-play]");
    if (!link || e.button || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
    const figure = link.closest("figure.video"), template = figure && figure.querySelector("template");
    if (!template) return;
    e.preventDefault();
    const player = template.content.firstElementChild.cloneNode(true);
    link.hidden = true;  // kept in the page: the tracker reads its classes from this click
    figure.insertBefore(player, link);
    if (player.tagName == "VIDEO") progress(player, figure);
    player.focus();
  });
})(document, window);
