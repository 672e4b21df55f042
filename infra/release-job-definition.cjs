// The release job state machine's definition as the text of infra/release-job.asl.json, for the
// state machine's DefinitionString (infra/release-job.yml reads it with ${file(...)}).
//
// Not the parsed file as `Definition`: the framework strips every null property from the
// template's resources when it packages (osls, stripNullPropsFromTemplateResources), and the
// definition's `"ResultPath": null` (keep a state's input, drop its result) would silently become
// the default `$`: CheckStop's Catch would hand Release the error instead of the batch.
// test/infra checks the packaged DefinitionString is this file, byte for byte.
const { readFileSync } = require('node:fs');
const path = require('node:path');

module.exports = () => readFileSync(path.join(__dirname, 'release-job.asl.json'), 'utf8');
