// The .dl language. Statements end at a newline or ';'. Newlines inside (...) and [...] are
// skipped by the lexer, and a newline may follow a binary operator, '=' or ',', so long
// expressions wrap naturally. Semantics (what a name means, compile-time vs tensor values)
// belong to the frontend; this grammar only fixes the shape of programs.
grammar Dl;

@lexer::members {
  // Open brackets, innermost last. Newlines are whitespace when the innermost is ( or [,
  // and statement separators at top level or inside { } (a lambda's block inside a call).
  private final java.util.ArrayDeque<Character> open = new java.util.ArrayDeque<>();
  private void close(char c) { if (!open.isEmpty() && open.peekLast() == c) open.removeLast(); }
  private boolean newlineIsSpace() { return !open.isEmpty() && open.peekLast() != '{'; }
}

program : nl* (topDecl (sep topDecl)*)? nl* EOF ;

topDecl
  : importDecl
  | constDecl
  | defDecl
  | modelDecl
  | trainDecl
  ;

// import std.nn                 -> module alias 'nn' (use as nn.dense)
// import std.nn.dense           -> one name
// import std.nn.{dense, dropout as drop}
importDecl : 'import' dotted ('.' '{' nl* importName (',' nl* importName)* nl* '}')? ;
importName : name ('as' name)? ;
dotted     : name ('.' name)* ;

constDecl  : 'const' ID '=' nl* expr ;

defDecl    : 'def' name '(' paramList? ')' ('->' typeExpr)? block ;
modelDecl  : 'model' ID ('(' paramList? ')')? block ;
trainDecl  : 'train' ID trainBlock ;

paramList  : formal (',' formal)* ','? ;
formal     : name (':' typeExpr)? ('=' expr)? ;

// ---- types -------------------------------------------------------------------------------------
typeExpr
  : DTYPE '[' (dimItem (',' dimItem)*)? ']'          # tensorType
  | DTYPE                                            # scalarTensorType
  | '(' typeExpr (',' typeExpr)+ ')'                 # tupleType
  | (ID | 'fn')                                      # namedType   // int, float, str, fn, shape, ...
  ;
dimItem : '...' | dimExpr ;
dimExpr
  : dimExpr op=('*' | '/' | '%') dimExpr
  | dimExpr op=('+' | '-') dimExpr
  | '(' dimExpr ')'
  | INT
  | ID
  ;

// ---- statements --------------------------------------------------------------------------------
block : '{' nl* (stmt (sep stmt)*)? nl* '}' ;
sep   : (NL | ';')+ ;

stmt
  : 'input'  ID ':' typeExpr                                # inputStmt
  | 'param'  ID ':' typeExpr ('=' nl* expr)?                # paramStmt
  | 'state'  ID ':' typeExpr ('=' nl* expr)?                # stateStmt
  | 'output' ID ('=' nl* expr)?                             # outputStmt
  | 'loss'   (ID '=')? expr                                 # lossStmt
  | target op=('<-' | '+=' | '-=') nl* expr                 # updateStmt
  | patterns '=' nl* expr                                   # assignStmt
  | 'return' expr?                                          # returnStmt
  | expr                                                    # exprStmt
  ;

// update targets may be qualified (encoder.dense.w <- ...)
target   : name ('.' name)* ;
patterns : pattern (',' pattern)* ;
pattern  : name | '_' | '(' pattern (',' pattern)+ ')' ;

// train Name { data ...; optimizer ...; batch 64; step disc { loss d_loss; params ...; optimizer ... } }
trainBlock : '{' nl* (trainItem (sep trainItem)*)? nl* '}' ;
settingName : ID | 'loss' | 'param' | 'state' | 'input' | 'output' ;
trainItem
  : 'step' ID trainBlock                                    # trainStep
  | settingName (expr (',' expr)*)?                         # trainSetting
  ;

// ---- expressions: ANTLR gives earlier alternatives higher precedence, so tightest first --------
expr
  : primary                                                          # primaryExpr
  | expr '.' name                                                    # memberExpr
  | expr '(' argList? ')'                                            # callExpr
  | expr '[' index (',' index)* ']'                                  # indexExpr
  | <assoc=right> expr '**' nl* expr                                 # powExpr
  | op=('-' | '+') expr                                              # unaryExpr   // -x**2 == -(x**2)
  | expr op=('*' | '/' | '%' | '@') nl* expr                         # mulExpr
  | expr op=('+' | '-') nl* expr                                     # addExpr
  | expr op=('<' | '<=' | '>' | '>=' | '==' | '!=') nl* expr         # compareExpr
  | 'not' expr                                                       # notExpr
  | expr 'and' nl* expr                                              # andExpr
  | expr 'or' nl* expr                                               # orExpr
  | 'if' expr block (nl* 'else' (block | expr))?                      # ifExpr   // no else: none when false
  | 'fn' '(' (pattern (',' pattern)*)? ')' block                     # lambdaExpr
  ;

argList : arg (',' arg)* ','? ;
arg     : (name '=')? expr ;

index
  : '...'                                                            # ellipsisIndex
  | expr? ':' expr? (':' expr?)?                                     # sliceIndex
  | expr                                                             # pointIndex
  ;

primary
  : INT                                                              # intLit
  | FLOAT                                                            # floatLit
  | STRING                                                           # stringLit
  | ('true' | 'false')                                               # boolLit
  | 'inf'                                                            # infLit
  | name                                                             # nameRef
  | DTYPE                                                            # dtypeRef   // cast(x, f32)
  | '(' expr ')'                                                     # parenExpr
  | '(' expr ',' (expr (',' expr)*)? ')'                             # tupleExpr
  | '(' ')'                                                          # emptyTupleExpr
  | '[' (expr (',' expr)* ','?)? ']'                                 # listExpr
  ;

// 'step' is a keyword only at the head of a train item and 'loss' only at the head of a
// statement; elsewhere both are ordinary names (def step(x), import std.loss)
name : ID | 'step' | 'loss' ;

nl : NL ;

// ---- lexer -------------------------------------------------------------------------------------
DTYPE   : 'f16' | 'f32' | 'f64' | 'i8' | 'u8' | 'i32' | 'i64' | 'bool' ;
INT     : [0-9]+ ;
FLOAT   : [0-9]+ '.' [0-9]* EXP? | '.' [0-9]+ EXP? | [0-9]+ EXP ;
fragment EXP : [eE] [+-]? [0-9]+ ;
STRING  : '"' (~["\\\r\n] | '\\' .)* '"' ;
ID      : [a-zA-Z_] [a-zA-Z_0-9]* ;

LPAREN  : '(' { open.addLast('('); } ;
RPAREN  : ')' { close('('); } ;
LBRACK  : '[' { open.addLast('['); } ;
RBRACK  : ']' { close('['); } ;
LBRACE  : '{' { open.addLast('{'); } ;
RBRACE  : '}' { close('{'); } ;

NL      : ('\r'? '\n') { if (newlineIsSpace()) skip(); } ;
COMMENT : ('#' | '//') ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WS      : [ \t]+ -> skip ;
LINE_CONT : '\\' '\r'? '\n' -> skip ;
ERRCHAR : . ;
