# Renders Markdown the way Jekyll 4 does (kramdown, GFM input, Jekyll's defaults).
# stdin: a JSON array of Markdown strings; stdout: a JSON array of HTML strings.
require 'json'
begin
  require 'jekyll'
  conf = Jekyll::Configuration.from({})
  conv = Jekyll::Converters::Markdown.new(conf)
  conv.setup
  render = ->(md) { conv.convert(md) }
rescue LoadError
  require 'kramdown'
  require 'kramdown-parser-gfm'
  opts = { input: 'GFM', hard_wrap: false, auto_ids: true, entity_output: :as_input,
           smart_quotes: 'lsquo,rsquo,ldquo,rdquo', syntax_highlighter: nil }
  render = ->(md) { Kramdown::Document.new(md, opts).to_html }
end
STDOUT.write(JSON.generate(JSON.parse(STDIN.read).map { |md| render.call(md) }))
