// Pack station: a keyboard-wedge scanner types the code and Enter into the focused input.
(function () {
  "use strict";
  var input = document.getElementById("scan");
  var station = input.dataset.station;
  var warehouse = input.dataset.warehouse || null; // set: only this warehouse's parcels open
  var message = document.getElementById("message");
  var tbody = document.querySelector("#lines tbody");
  var title = document.getElementById("parcel-title");
  var labelLink = document.getElementById("label-link");
  var labelFrame = document.getElementById("label-frame");
  var queue = Promise.resolve(); // scans are sent one after another, in the order typed

  function keepFocus() { setTimeout(function () { input.focus(); }, 0); }
  input.addEventListener("blur", keepFocus);
  document.addEventListener("click", keepFocus);

  function beep(ok) {
    try {
      var ctx = new (window.AudioContext || window.webkitAudioContext)();
      var osc = ctx.createOscillator();
      osc.frequency.value = ok ? 880 : 220;
      osc.connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + (ok ? 0.08 : 0.5));
    } catch (e) { /* no audio: the colours still say it */ }
  }

  function show(data) {
    message.textContent = data.message;
    message.className = data.result;
    message.dataset.result = data.result;
    document.body.className = data.result === "refused" ? "refused" : "";
    render(data.parcel);
    if (data.result === "complete") {
      labelLink.href = data.label_pdf;
      labelLink.classList.remove("hidden");
      if (!data.printed) {
        labelFrame.src = data.label_pdf;
        labelFrame.classList.remove("hidden");
      }
      if (data.print_error) { message.textContent += " — printer: " + data.print_error; }
    } else if (data.parcel) {
      labelLink.classList.add("hidden");
      labelFrame.classList.add("hidden");
    }
    beep(data.result !== "refused");
  }

  function render(parcel) {
    tbody.innerHTML = "";
    if (!parcel) { title.textContent = ""; return; }
    title.textContent = "Parcel " + parcel.id + " · order " + parcel.order_no + " · " +
      parcel.index + "/" + parcel.count + " · " + parcel.status;
    parcel.lines.forEach(function (line) {
      var tr = document.createElement("tr");
      tr.dataset.sku = line.sku;
      if (line.packed >= line.qty) { tr.className = "done"; }
      [line.sku, line.name, line.packed + " / " + line.qty].forEach(function (text, i) {
        var td = document.createElement("td");
        td.textContent = text;
        if (i === 2) { td.className = "count"; }
        tr.appendChild(td);
      });
      tbody.appendChild(tr);
    });
  }

  function post(path, body) {
    return fetch(path, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json"}, body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) {
          var reason = (data.detail && data.detail[0] && data.detail[0].reason) || r.statusText;
          return {result: "refused", message: reason, parcel: null};
        }
        return data;
      });
    });
  }

  function send(path, body) {
    queue = queue.then(function () { return post(path, body); })
      .then(show)
      .catch(function (err) { show({result: "refused", message: "network error: " + err}); })
      .then(keepFocus);
    return queue;
  }

  input.addEventListener("keydown", function (ev) {
    if (ev.key !== "Enter") { return; }
    ev.preventDefault();
    var code = input.value.trim();
    input.value = "";
    if (!code) { return; }
    if (code.toUpperCase() === "UNDO") { send("/station/undo", {station: station}); return; }
    send("/station/scan", warehouse ? {station: station, code: code, warehouse: warehouse}
                                    : {station: station, code: code});
  });

  document.getElementById("undo").addEventListener("click", function (ev) {
    ev.preventDefault();
    send("/station/undo", {station: station});
  });

  // the form posts to the page only without this script (the page renders the open parcel)
  document.getElementById("scan-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
  });
  keepFocus();
  window.stationReady = true;
}());
