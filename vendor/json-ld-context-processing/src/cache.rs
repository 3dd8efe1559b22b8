//! Hallmark patch (see `vendor/README.md`): reuse of context processing results.
//!
//! Expanding a document processes the scoped contexts of its terms and types (the VC 2.0
//! context has one per credential and proof type) against the active context, once per node
//! object, and that processing is most of the expansion work. Its result depends only on the
//! active context, the local context, the base URL and the options, unless the local context
//! loads a remote context (whose content the loader may change) or a warning is raised (which
//! must reach the caller's handler every time). So for a local context that loads nothing,
//! processed without warnings, the result is kept in the active context's processing cache, if
//! the context has one (`json_ld_core::Context::with_processing_cache`), and reused.
use json_ld_core::{warning, Context, ProcessingMode};
use json_ld_syntax::context::{self as syntax, ContextEntry, TermDefinition};
use json_ld_syntax::Nullable;

use crate::{Options, Warning};

/// Whether processing `context` loads nothing: no context IRI and no `@import`, in it or in the
/// scoped contexts of its term definitions (processed too, to validate them).
pub(crate) fn loads_nothing(context: &syntax::Context) -> bool {
	let entries = match context {
		syntax::Context::One(entry) => std::slice::from_ref(entry),
		syntax::Context::Many(entries) => entries.as_slice(),
	};
	entries.iter().all(|entry| match entry {
		ContextEntry::Null => true,
		ContextEntry::IriRef(_) => false,
		ContextEntry::Definition(definition) => {
			definition.import.is_none()
				&& definition.bindings.iter().all(|(_, term)| match term {
					Nullable::Some(TermDefinition::Expanded(expanded)) => {
						expanded.context.as_deref().map_or(true, loads_nothing)
					}
					_ => true,
				})
		}
	})
}

/// The options as the number the cache compares.
fn options_key(options: Options) -> u32 {
	let mode = match options.processing_mode {
		ProcessingMode::JsonLd1_0 => 0,
		ProcessingMode::JsonLd1_1 => 1,
	};
	let vocab = match options.vocab {
		crate::algorithm::Action::Keep => 0,
		crate::algorithm::Action::Drop => 1,
		crate::algorithm::Action::Reject => 2,
	};
	mode | (options.override_protected as u32) << 1 | (options.propagate as u32) << 2 | vocab << 3
}

/// The kept result of processing `local` against `active`, if any.
pub(crate) fn find<T: Clone + PartialEq, B: Clone>(
	active: &Context<T, B>,
	local: &syntax::Context,
	base_url: Option<&T>,
	options: Options,
) -> Option<Context<T, B>> {
	active.cached_processing(local, base_url, options_key(options))
}

/// Keeps `result`, the result of processing `local` against `active`.
pub(crate) fn keep<T: Clone, B: Clone>(
	active: &Context<T, B>,
	local: &syntax::Context,
	base_url: Option<T>,
	options: Options,
	result: &Context<T, B>,
) {
	active.keep_processing(local, base_url, options_key(options), result)
}

/// Passes warnings on, noting whether there was any.
pub(crate) struct Warned<'a, W> {
	pub inner: &'a mut W,
	pub any: bool,
}

impl<N, W: warning::Handler<N, Warning>> warning::Handler<N, Warning> for Warned<'_, W> {
	fn handle(&mut self, vocabulary: &N, warning: Warning) {
		self.any = true;
		self.inner.handle(vocabulary, warning)
	}
}
