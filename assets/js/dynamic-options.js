/* Run form: select and multiselect fields whose options a command on the server lists
   (x-options-from). They load when the form opens and again, debounced, when a field
   they depend on changes; a failure shows the server's message with a Retry button. */
(function () {
  "use strict";

  const DEBOUNCE_MS = 300;

  function make(tag, className, text) {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined) element.textContent = text;
    return element;
  }

  /* Wire the dynamic fields of a built form. options: scriptId, schema, box (the fields'
     container), readValues(), onState() (called when a field starts or ends loading). */
  function attach(options) {
    const { scriptId, schema, box, readValues, onState } = options;
    const fields = Object.entries(schema.properties).filter(([, prop]) => prop["x-options-from"]);
    const states = {};

    function column(name) {
      return box.querySelector(`[data-field="${name}"]`);
    }

    function isRequired(name) {
      return schema.required.includes(name) || Boolean(schema.properties[name]["x-required"]);
    }

    // The values a field's command takes: those of the fields it depends on.
    function sentValues(name) {
      const values = readValues();
      const sent = {};
      for (const other of schema.properties[name]["x-options-from"].depends_on) {
        if (values[other] !== undefined) sent[other] = values[other];
      }
      return sent;
    }

    function render(name) {
      const state = states[name];
      state.status.classList.toggle("d-none", !state.loading);
      state.errorBox.classList.toggle("d-none", state.loading || !state.error);
      state.errorText.textContent = state.error || "";
      state.control.classList.toggle("is-invalid", !state.loading && Boolean(state.error));
    }

    function fillSelect(state, choices, name) {
      const select = state.control;
      const previous = select.dataset.wanted || select.value;
      const items = isRequired(name) ? [] : [new Option("—", "")];
      choices.forEach((choice) => items.push(new Option(choice, choice)));
      select.replaceChildren(...items);
      select.value = choices.includes(previous) ? previous : isRequired(name) && choices.length ? choices[0] : "";
    }

    function fillChecks(state, choices) {
      const group = state.control;
      const checked = Array.from(group.querySelectorAll("input:checked")).map((input) => input.value);
      const wanted = group.dataset.wanted !== undefined ? group.dataset.wanted.split(",") : checked;
      group.replaceChildren(
        ...choices.map((choice, index) => {
          const id = group.id + "-" + index;
          const wrap = make("div", "form-check");
          const input = make("input", "form-check-input");
          Object.assign(input, { type: "checkbox", value: choice, id, checked: wanted.includes(choice) });
          const label = make("label", "form-check-label", choice);
          label.htmlFor = id;
          wrap.append(input, label);
          return wrap;
        }),
      );
    }

    function fill(name, choices) {
      const state = states[name];
      if (state.multi) fillChecks(state, choices);
      else fillSelect(state, choices, name);
      delete state.control.dataset.wanted;
    }

    async function load(name) {
      const state = states[name];
      clearTimeout(state.timer);
      const sent = sentValues(name);
      state.key = JSON.stringify(sent);
      const sequence = ++state.sequence;
      state.loading = true;
      render(name);
      onState();
      const url = `/api/scripts/${scriptId}/parameters/${encodeURIComponent(name)}/options`;
      try {
        const answer = await SM.api.get(url + "?values=" + encodeURIComponent(state.key));
        if (sequence !== state.sequence) return;
        state.options = answer.options;
        state.error = null;
      } catch (error) {
        if (sequence !== state.sequence) return;
        state.options = [];
        state.error = error.message;
      }
      fill(name, state.options);
      state.loading = false;
      render(name);
      onState();
      refresh(); // a field may depend on this one
    }

    // Reload (debounced) each field whose dependencies have other values than last time.
    function refresh() {
      for (const [name] of fields) {
        const state = states[name];
        if (JSON.stringify(sentValues(name)) === state.key) continue;
        clearTimeout(state.timer);
        state.timer = setTimeout(() => load(name), DEBOUNCE_MS);
      }
    }

    // True while a visible required dynamic field has nothing to choose from.
    function blocking() {
      return fields.some(([name]) => {
        const state = states[name];
        const hidden = column(name).classList.contains("d-none");
        return !hidden && isRequired(name) && (state.loading || !state.options.length);
      });
    }

    for (const [name, prop] of fields) {
      const multi = prop["x-type"] === "multiselect";
      const control = document.getElementById("param-" + name);
      const status = make("div", "form-text d-none");
      status.dataset.optionsStatusFor = name;
      const spinner = make("span", "spinner-border spinner-border-sm me-2");
      spinner.setAttribute("aria-hidden", "true");
      status.append(spinner, SM.t("form.options_loading"));
      const errorBox = make("div", "invalid-feedback d-block d-none");
      errorBox.dataset.optionsErrorFor = name;
      const errorText = make("span", "me-2");
      const retry = make("button", "btn btn-sm btn-outline-secondary py-0", SM.t("form.options_retry"));
      retry.type = "button";
      retry.addEventListener("click", () => load(name));
      errorBox.append(errorText, retry);
      control.after(status, errorBox);
      states[name] = { multi, control, status, errorBox, errorText, options: [], key: null, sequence: 0 };
    }
    box.addEventListener("input", refresh);
    box.addEventListener("change", refresh);
    fields.forEach(([name]) => load(name));
    return { refresh, blocking };
  }

  SM.dynamicOptions = { attach };
})();
