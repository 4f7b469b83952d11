// Hydrates the page once its content is on screen: the WASM (the main module, and
// the chunks of a page split out of it, named by the page's
// `<meta name="wasm-chunks">`) is fetched only then, all at once, so it
// never competes with the HTML and the stylesheet for the first paint,
// and a split page costs no extra round trip. The page's locale's texts
// (the WASM carries none) are fetched beside it. See `app/src/hydration.rs`.
(() => {
	const pkg = __PKG__, js = __JS__, wasm = __WASM__, split = __SPLIT__, texts = __TEXTS__;
	const hint = (rel, href, fetched) => {
		const link = document.createElement("link");
		link.rel = rel;
		link.href = href;
		// As `import()` and `fetch()` ask for them, so the hints are used.
		link.crossOrigin = "anonymous";
		if (fetched) {
			link.as = "fetch";
			link.type = "application/wasm";
		}
		document.head.append(link);
	};
	let started = false;
	const start = () => {
		if (started) return;
		started = true;
		const chunks = [...document.head.querySelectorAll('meta[name="wasm-chunks"]')]
			.flatMap((m) => m.content.split(" "))
			.filter((name) => /^[\w.-]+$/.test(name));
		hint("modulepreload", js);
		hint("preload", wasm, true);
		if (chunks.length) {
			hint("modulepreload", split);
			for (const chunk of new Set(chunks)) hint("preload", pkg + chunk + ".wasm", true);
		}
		const lang = document.documentElement.lang;
		const strings = Object.hasOwn(texts, lang)
			? fetch(texts[lang]).then((r) => (r.ok ? r.text() : Promise.reject(new Error(`${r.status} ${r.url}`))))
			: Promise.reject(new Error(`no texts for the language "${lang}"`));
		Promise.all([import(js).then((mod) => mod.default({ module_or_path: wasm }).then(() => mod)), strings])
			.then(([mod, s]) => mod.hydrate(lang, s))
			.catch((e) => console.error("the page could not hydrate:", e));
	};
	const soon = () => setTimeout(start, 0);
	// Whatever happens to the paint (none reported, a tab hidden before its
	// first frame), the page hydrates.
	setTimeout(start, 3000);
	document.addEventListener("visibilitychange", () => document.visibilityState === "hidden" && start());
	if (document.visibilityState === "hidden") {
		// Opened in the background: nothing is painted, nothing to wait for.
		start();
	} else if (window.PerformanceObserver?.supportedEntryTypes?.includes("paint")) {
		// Once the page's content is on screen (its first contentful paint).
		new PerformanceObserver((list, observer) => {
			if (list.getEntriesByName("first-contentful-paint").length) {
				observer.disconnect();
				soon();
			}
		}).observe({ type: "paint", buffered: true });
	} else {
		// Two frames on: the first one has been painted by then.
		requestAnimationFrame(() => requestAnimationFrame(soon));
	}
})();
