# Differential-test oracle: renders every snippet with the kramdown converter
# exactly as Jekyll 4 configures it (Jekyll's own default configuration and
# its KramdownParser class), in one process.
#
# stdin:  JSON object {name => markdown}
# stdout: JSON object {name => html}
require 'json'
require 'jekyll'

STDIN.set_encoding('UTF-8')
STDOUT.set_encoding('UTF-8')
config = Jekyll::Configuration.from({})
parser = Jekyll::Converters::Markdown::KramdownParser.new(config)
input = JSON.parse(STDIN.read)
out = {}
input.each { |name, src| out[name] = parser.convert(src) }
STDOUT.write(JSON.generate(out))
