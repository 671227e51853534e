import binaryen from 'binaryen';
for (const body of ['(drop (array.new_elem $fa $e (i32.const 0) (i32.const 1)))', '(array.init_elem $fa $e (array.new_default $fa (i32.const 1)) (i32.const 0) (i32.const 0) (i32.const 1))']) {
try {
const mod = binaryen.parseText(`(module (type $fa (array (mut funcref))) (elem $e funcref (ref.func $id)) (func $id) (func ${body}))`);
console.log('ok', mod.validate()); } catch (e) { console.log('err', e); }
}
